"""Feature-flag API: the Lambda handler is built first, the flags are loaded after."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work

app = FastAPI()
handler = Mangum(app)


async def fetch_flags() -> dict:
    """Stand-in for a call to the feature-flag service."""
    await asyncio.sleep(0.2)
    count_work("flags")
    return {"new_checkout": True, "dark_mode": False}


FLAGS = asyncio.run(fetch_flags())


@app.get("/flags/{name}")
async def read_flag(name: str):
    return {"flag": name, "enabled": FLAGS.get(name, False)}
