"""Nothing imports this module: its loop function is never called at import time."""
import asyncio


async def ping():
    return "pong"


def ping_now():
    return asyncio.run(ping())
