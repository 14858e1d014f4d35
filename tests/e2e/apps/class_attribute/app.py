"""Feature API: the feature table is a class attribute loaded when the class body runs."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


async def load_features() -> dict:
    """Stand-in for a call to the feature-flag service."""
    await asyncio.sleep(0.2)
    count_work("features")
    return {"search": True, "export": False}


class Features:
    TABLE = asyncio.run(load_features())

    @classmethod
    def enabled(cls, name: str) -> bool:
        return cls.TABLE.get(name, False)


app = FastAPI()


@app.get("/features/{name}")
async def feature(name: str):
    return {"feature": name, "enabled": Features.enabled(name)}


handler = Mangum(app)
