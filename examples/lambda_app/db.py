"""A connection pool opened on a loop made at import time, the other common shape."""

import asyncio


class Pool:
    """A toy pool that, like asyncpg's, belongs to the loop it was created in."""

    def __init__(self):
        self.loop = asyncio.get_running_loop()

    async def fetch(self, query):
        future = self.loop.create_future()
        self.loop.call_soon(future.set_result, [query])
        return await future


async def create_pool():
    return Pool()


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
POOL = loop.run_until_complete(create_pool())
loop.close()


async def users():
    return await POOL.fetch("select * from users")
