import asyncpg


class Database:
    def __init__(self):
        self.pool = None

    async def create_pool(self):
        self.pool = await asyncpg.create_pool("postgresql://localhost/bot")

    async def create_tables(self):
        await self.pool.execute("CREATE TABLE IF NOT EXISTS users (id bigint)")
