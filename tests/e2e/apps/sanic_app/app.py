"""Rates API on Sanic, served as ASGI by uvicorn: the rates client is opened at import time;
the app has a before_server_start listener."""

import asyncio

from sanic import Sanic
from sanic.response import json as json_response

from e2e_counter import count_work

RATE_TABLE = {"EUR": 0.5, "GBP": 0.25}


class RatesClient:
    """Stand-in for an aiohttp.ClientSession: bound to the event loop it was opened on."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def rate(self, currency: str) -> float:
        await asyncio.sleep(0)
        answer = self.loop.create_future()
        self.loop.call_soon(answer.set_result, RATE_TABLE[currency])
        return await answer


async def open_client() -> RatesClient:
    """Stand-in for opening the session and authenticating with the rates service."""
    await asyncio.sleep(0.2)
    client = RatesClient()
    count_work("client")
    return client


CLIENT = asyncio.run(open_client())

app = Sanic("rates")


@app.before_server_start
async def setup(app):
    app.ctx.started = True


@app.get("/rates/<currency>")
async def rate(request, currency: str):
    return json_response({"currency": currency, "rate": await CLIENT.rate(currency)})
