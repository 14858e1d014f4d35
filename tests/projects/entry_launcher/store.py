import asyncio


async def load_greeting():
    await asyncio.sleep(0)
    return "hello"
