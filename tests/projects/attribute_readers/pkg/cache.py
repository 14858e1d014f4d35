import asyncio

import aioredis


async def connect():
    return await aioredis.create_redis_pool("redis://localhost")


_loop = asyncio.get_event_loop()
redis_pool = _loop.run_until_complete(connect())


async def delete_keys(*keys):
    await redis_pool.delete(*keys)
