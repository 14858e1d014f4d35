# A name imported by name copies the value once: LF005.
from pkg.cache import delete_keys, redis_pool


async def flush(key):
    await redis_pool.delete(key)
    await delete_keys(key)
