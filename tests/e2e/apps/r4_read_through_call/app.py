"""Accounts API (reproducer R4): a value derived at import time, through a helper, from a loaded one."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


async def load_settings() -> dict:
    """Stand-in for a call to the secrets manager."""
    await asyncio.sleep(0.2)
    count_work("settings")
    return {"db": "postgresql://accounts@db/accounts"}


SETTINGS = asyncio.run(load_settings())


def database_url() -> str:
    return SETTINGS["db"]


DATABASE_URL = database_url()

app = FastAPI()


@app.get("/database")
async def database():
    return {"url": DATABASE_URL}


handler = Mangum(app)
