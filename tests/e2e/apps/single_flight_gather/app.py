"""Quote API: one request prices two currencies at once, both from the rates loaded at import."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


async def fetch_rates() -> dict:
    """Stand-in for a call to the exchange-rate service."""
    await asyncio.sleep(0.2)
    count_work("rates")
    return {"EUR": 0.5, "GBP": 0.25}


RATES = asyncio.run(fetch_rates())


async def price_in(currency: str, amount: float) -> float:
    await asyncio.sleep(0)
    return amount * RATES[currency]


app = FastAPI()


@app.get("/quote")
async def quote():
    eur, gbp = await asyncio.gather(price_in("EUR", 10), price_in("GBP", 10))
    return {"EUR": eur, "GBP": gbp}


handler = Mangum(app)
