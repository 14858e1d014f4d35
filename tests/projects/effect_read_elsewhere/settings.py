import asyncio


async def load_settings():
    return {"region": "eu-west-1"}


# Nothing in this module reads SETTINGS, but handlers.py does: with the project in view it is a
# value with readers, not an effect.
SETTINGS = asyncio.run(load_settings())
