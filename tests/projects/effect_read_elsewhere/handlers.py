from settings import SETTINGS


async def region():
    return SETTINGS["region"]
