import asyncio

from aiohttp import web


async def init():
    app = web.Application()
    app.router.add_get("/", index)
    return app


async def index(request):
    return web.Response(text="ok")


def main():
    loop = asyncio.get_event_loop()
    app = loop.run_until_complete(init())
    web.run_app(app)
