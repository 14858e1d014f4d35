"""STAC-style catalog API: the app and its start-up hook. The Lambda handler lives in handler.py,
which imports the app (the shape of eoAPI's and titiler's handler modules)."""

import asyncio

from fastapi import FastAPI

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
