"""Catalog API: the catalog and the shop's currency are looked up at import time."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work

DEFAULT_CURRENCY = "USD"


async def load_catalog():
    """Stand-in for a database query returning the products and their prices."""
    await asyncio.sleep(0.2)
    count_work("catalog")
    return ["coffee", "tea"], {"coffee": 3.5, "tea": 2.0}


async def load_currency() -> str:
    """Stand-in for a call to the settings service."""
    await asyncio.sleep(0.2)
    count_work("currency")
    return "EUR"


PRODUCTS, PRICES = asyncio.run(load_catalog())

try:
    CURRENCY: str = asyncio.run(load_currency())
except OSError:
    CURRENCY = DEFAULT_CURRENCY

app = FastAPI()


@app.get("/catalog")
async def catalog():
    return {"products": PRODUCTS, "prices": PRICES, "currency": CURRENCY}


handler = Mangum(app)
