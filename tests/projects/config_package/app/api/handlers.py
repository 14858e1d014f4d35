from .. import config
from ..config import SETTINGS as S


def table_name():
    return S["table"]


async def describe():
    return {"table": config.SETTINGS["table"]}
