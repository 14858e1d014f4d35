import json

from settings import SETTINGS


async def show():
    return json.dumps(SETTINGS)
