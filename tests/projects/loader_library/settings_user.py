from loaders import load_settings

SETTINGS = load_settings()


async def region():
    return SETTINGS["region"]
