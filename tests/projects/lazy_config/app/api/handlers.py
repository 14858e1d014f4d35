from .. import config


async def describe():
    """Describe the table."""
    return {"table": config.SETTINGS["table"]}
