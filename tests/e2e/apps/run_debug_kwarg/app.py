"""Search API: the index is warmed by asyncio.run(..., debug=True) at import time."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work

INDEX = {}


async def warm_index() -> None:
    """Stand-in for loading the search index into memory."""
    await asyncio.sleep(0.2)
    INDEX.update({"asyncio": 3, "lambda": 5})
    count_work("index")


asyncio.run(warm_index(), debug=True)

app = FastAPI()


@app.get("/search")
async def search(q: str):
    return {"q": q, "hits": INDEX.get(q)}


handler = Mangum(app)
