import asyncio

import asyncpg


async def get_conn_pool():
    return await asyncpg.create_pool("postgresql://localhost/db")


_loop = asyncio.get_event_loop()
pool = _loop.run_until_complete(get_conn_pool())
