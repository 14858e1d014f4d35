"""Settings API: settings are loaded at import time on asyncio's default loop."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work


async def load_settings() -> dict:
    """Stand-in for a call to the parameter store."""
    await asyncio.sleep(0.2)
    count_work("settings")
    return {"region": "eu-west-1", "max_items": 50}


SETTINGS = asyncio.get_event_loop().run_until_complete(load_settings())

app = FastAPI()


@app.get("/settings")
async def read_settings():
    return {"settings": SETTINGS}


handler = Mangum(app)
