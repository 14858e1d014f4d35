import json

from settings import SETTINGS, fetch_settings


async def show():
    return json.dumps(SETTINGS)


async def fresh():
    return await fetch_settings()
