"""Another loop function; its only importer calls it inside a function."""
import asyncio


async def ping():
    return "pong"


def ping_now():
    return asyncio.run(ping())
