"""Orders API: a connection pool is opened at import time on a hand-made event loop."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work


class Connection:
    def __init__(self, number: int, dsn: str) -> None:
        self.number = number
        self.dsn = dsn

    async def fetch(self, query: str) -> list:
        await asyncio.sleep(0)
        return [{"id": 1, "item": "coffee"}, {"id": 2, "item": "tea"}]


class Pool:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._free: asyncio.Queue = asyncio.Queue()

    async def acquire(self) -> Connection:
        return await self._free.get()

    def release(self, connection: Connection) -> None:
        self._free.put_nowait(connection)


async def create_pool(dsn: str = "postgresql://orders@db/orders", size: int = 2) -> Pool:
    """Stand-in for asyncpg.create_pool(): opens `size` connections."""
    pool = Pool(dsn)
    for number in range(size):
        await asyncio.sleep(0)
        pool.release(Connection(number, dsn))
    count_work("pool")
    return pool


loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
POOL = loop.run_until_complete(create_pool())
loop.close()

app = FastAPI()


@app.get("/orders")
async def list_orders():
    connection = await POOL.acquire()
    try:
        rows = await connection.fetch("SELECT id, item FROM orders")
    finally:
        POOL.release(connection)
    return {"orders": rows}


handler = Mangum(app)
