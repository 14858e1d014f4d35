"""Users API: the schema is created for its effect and a pool opened at import time; a sync
helper reads the pool."""

from asyncio import get_event_loop, sleep
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

TABLES: dict[str, list[str]] = {}


class Pool:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn


async def create_schema() -> None:
    await sleep(0)
    TABLES["users"] = ["ada", "grace"]


async def open_pool() -> Pool:
    await sleep(0)
    return Pool("postgresql://users@db/users")


get_event_loop().run_until_complete(create_schema())
POOL = get_event_loop().run_until_complete(open_pool())


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.ready = True
    yield


app = FastAPI(lifespan=lifespan)


def dsn() -> str:
    return POOL.dsn


@app.get("/users")
async def users() -> dict[str, list[str] | str]:
    return {"users": TABLES["users"], "dsn": dsn()}
