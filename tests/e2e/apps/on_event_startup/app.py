"""Inventory API with an on_event("startup") handler; the stock is loaded at import time and
read by a sync helper."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work

app = FastAPI()


async def load_stock() -> dict:
    """Stand-in for a query of the warehouse database."""
    await asyncio.sleep(0.2)
    count_work("stock")
    return {"tea": 12, "coffee": 0}


STOCK = asyncio.run(load_stock())


@app.on_event("startup")
async def startup():
    app.state.started = True


def in_stock() -> list:
    return sorted(name for name, count in STOCK.items() if count)


@app.get("/stock")
async def stock():
    return {"in_stock": in_stock()}


handler = Mangum(app)
