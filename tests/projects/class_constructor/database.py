import asyncio

import asyncpg


class Database:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.pool = loop.run_until_complete(asyncpg.create_pool("postgresql://localhost/db"))

    async def count_users(self):
        return await self.pool.fetchval("SELECT count(*) FROM users")
