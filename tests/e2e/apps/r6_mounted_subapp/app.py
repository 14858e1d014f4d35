"""Versioned API (reproducer R6): the routes live on a sub-app mounted under /v1."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


async def load_catalog() -> dict:
    """Stand-in for a query of the product table."""
    await asyncio.sleep(0.2)
    count_work("catalog")
    return {"tea": 2.0, "coffee": 3.5}


api = FastAPI()

CATALOG = asyncio.run(load_catalog())


def product_names() -> list:
    return sorted(CATALOG)


@api.get("/products")
async def products():
    return {"products": product_names()}


app = FastAPI()
app.mount("/v1", api)

handler = Mangum(app)
