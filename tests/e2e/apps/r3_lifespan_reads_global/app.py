"""Weather API (reproducer R3): its lifespan builds a client from the settings loaded at import."""

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


async def load_settings() -> dict:
    """Stand-in for a call to the parameter store."""
    await asyncio.sleep(0.2)
    count_work("settings")
    return {"base_url": "https://weather.internal/v2", "units": "metric"}


class ApiClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.open = True

    async def aclose(self) -> None:
        self.open = False


SETTINGS = asyncio.run(load_settings())


@asynccontextmanager
async def lifespan(app):
    app.state.client = ApiClient(base_url=SETTINGS["base_url"])
    yield
    await app.state.client.aclose()


app = FastAPI(lifespan=lifespan)


@app.get("/forecast")
async def forecast():
    return {"base_url": app.state.client.base_url, "units": SETTINGS["units"]}


handler = Mangum(app)
