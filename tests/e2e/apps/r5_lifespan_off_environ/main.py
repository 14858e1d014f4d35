"""Pricing API (reproducer R5): the app is built here; the Lambda handler lives in another module."""

import asyncio

from fastapi import FastAPI

from e2e_counter import count_work


async def fetch_price_list() -> dict:
    """Stand-in for a call to the pricing service."""
    await asyncio.sleep(0.2)
    count_work("prices")
    return {"basic": 9, "pro": 29}


PRICES = asyncio.run(fetch_price_list())


def price_of(plan: str) -> int:
    return PRICES[plan]


app = FastAPI()


@app.get("/price/{plan}")
async def price(plan: str):
    return {"plan": plan, "price": price_of(plan)}
