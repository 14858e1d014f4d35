"""Search API: an async client is created during an import-time asyncio.run().

Like aiohttp.ClientSession or an asyncpg connection, the client binds itself to
the event loop that was running when it was created, and keeps using it.
"""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work

INDEX = {"lambda": ["aws-lambda", "mangum"], "asyncio": ["event-loop", "coroutine"]}


class SearchClient:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.loop = asyncio.get_running_loop()

    async def search(self, term: str) -> list:
        """Stand-in for a request: the transport completes the future from a callback."""
        await asyncio.sleep(0)
        response = self.loop.create_future()
        self.loop.call_soon(response.set_result, INDEX.get(term, []))
        return await response


async def connect() -> SearchClient:
    await asyncio.sleep(0.2)  # connect and authenticate
    client = SearchClient("https://search.internal/v1")
    await client.search("lambda")  # warm up the connection
    count_work("client")
    return client


CLIENT = asyncio.run(connect())

app = FastAPI()


@app.get("/search")
async def search(q: str):
    return {"q": q, "hits": await CLIENT.search(q)}


handler = Mangum(app)
