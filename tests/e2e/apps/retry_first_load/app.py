"""Rates API: the rates service refuses the first connection of each process (it is still
warming up); the next attempt succeeds."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work

ATTEMPTS = []


async def fetch_rates() -> dict:
    """Stand-in for a call to the rates service."""
    ATTEMPTS.append(1)
    await asyncio.sleep(0.2)
    if len(ATTEMPTS) == 1:
        raise ConnectionError("rates service is not ready")
    count_work("rates")
    return {"EUR": 0.5}


RATES = asyncio.run(fetch_rates())

app = FastAPI()


@app.get("/rates")
async def rates():
    return {"rates": RATES}


handler = Mangum(app)
