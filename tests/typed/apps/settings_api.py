"""Settings API: settings, a limit and a client loaded at import time, read by routes."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from fastapi import FastAPI


class Client:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def get(self, path: str) -> str:
        await asyncio.sleep(0)
        return self.base_url + path


async def load_settings() -> dict[str, str]:
    await asyncio.sleep(0)
    return {"region": "eu-west-1", "base_url": "https://api.internal"}


async def load_limit() -> int:
    await asyncio.sleep(0)
    return 10


async def connect(base_url: str) -> Client:
    await asyncio.sleep(0)
    return Client(base_url)


SETTINGS = asyncio.run(load_settings())
LIMIT: Final[int] = asyncio.run(load_limit())
TIMEOUT: float = asyncio.run(load_limit())
CLIENT = asyncio.run(connect("https://api.internal"))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await asyncio.sleep(0)


app = FastAPI(lifespan=lifespan)


@app.get("/region")
async def region() -> dict[str, str | int | float]:
    return {"region": SETTINGS["region"], "limit": LIMIT + 1, "timeout": TIMEOUT * 2}


@app.get("/ping")
async def ping() -> str:
    return await CLIENT.get("/ping")
