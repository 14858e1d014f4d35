"""Rates API on aiohttp.web: the rates client is opened at import time; the app has an
on_startup signal handler."""

import asyncio

from aiohttp import web

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

routes = web.RouteTableDef()


@routes.get("/rates/{currency}")
async def rate(request: web.Request) -> web.Response:
    currency = request.match_info["currency"]
    return web.json_response({"currency": currency, "rate": await CLIENT.rate(currency)})


async def on_startup(app: web.Application) -> None:
    app["started"] = True


app = web.Application()
app.add_routes(routes)
app.on_startup.append(on_startup)

if __name__ == "__main__":
    web.run_app(app)
