"""STAC-style catalog API (reproducer R1): the Lambda handler keeps the lifespan off and runs
the start-up itself, once per container, so that one database pool serves every invocation.

This is the shape of stac-fastapi's Lambda handler and of the many projects copied from it.
"""

import asyncio
import os

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


class Pool:
    """Stand-in for an asyncpg pool: bound to the loop it was opened on."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def fetch(self, query: str) -> list:
        await asyncio.sleep(0)
        rows = self.loop.create_future()
        self.loop.call_soon(rows.set_result, ["sentinel-2-l2a", "landsat-c2-l2"])
        return await rows


async def connect_to_db() -> Pool:
    await asyncio.sleep(0.2)
    pool = Pool()
    count_work("pool")
    return pool


app = FastAPI()


@app.on_event("startup")
async def startup_event():
    app.state.pool = await connect_to_db()


@app.get("/collections")
async def collections():
    return {"collections": await app.state.pool.fetch("SELECT id FROM collections")}


handler = Mangum(app, lifespan="off")

if "AWS_EXECUTION_ENV" in os.environ:
    loop = asyncio.get_event_loop()
    loop.run_until_complete(app.router.startup())
