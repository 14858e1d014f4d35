import asyncpg


async def connect():
    return await asyncpg.create_pool("postgresql://localhost/app")
