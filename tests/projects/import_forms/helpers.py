"""A loop function this module never calls itself: only its importers can have a finding."""
import asyncio


async def fetch():
    return {"ready": True}


def load():
    return asyncio.run(fetch())
