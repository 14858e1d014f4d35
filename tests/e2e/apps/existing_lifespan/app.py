"""Catalog API with a lifespan of its own and a sync helper that reads the catalog."""

import asyncio
import contextlib

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work

STARTED = []


async def fetch_catalog():
    """Stand-in for a call to the catalog service."""
    await asyncio.sleep(0.2)
    count_work("catalog")
    return {"items": ["tea", "coffee"]}


CATALOG = asyncio.run(fetch_catalog())


@contextlib.asynccontextmanager
async def lifespan(app):
    STARTED.append(True)
    yield


app = FastAPI(lifespan=lifespan)


def item_names():
    return ", ".join(CATALOG["items"])


@app.get("/items")
async def items():
    return {"items": item_names()}


handler = Mangum(app)
