"""Settings of the notes service, loaded from the parameter store at import time."""

import asyncio

from e2e_counter import count_work


async def load_settings() -> dict:
    """Stand-in for a call to the parameter store."""
    await asyncio.sleep(0.2)
    count_work("settings")
    return {"page_size": 20, "region": "eu-west-1"}


SETTINGS = asyncio.run(load_settings())
