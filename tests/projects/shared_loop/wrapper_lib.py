import asyncio


async def fetch():
    return [1, 2]


def load():
    return asyncio.run(fetch())


DATA = load()


async def handler():
    return DATA
