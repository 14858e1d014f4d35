import settings


async def debug_flag():
    return settings.SETTINGS["debug"]


async def awaited():
    await settings.load_settings()
    return settings.SETTINGS
