"""An app fixed by hand long ago: init() is awaited in the lifespan only."""
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mangum import Mangum

SETTINGS = None
_INITIALIZED = False


async def fetch():
    return {"region": "eu-west-1"}


async def init():
    global SETTINGS, _INITIALIZED
    if _INITIALIZED:
        return
    SETTINGS = await fetch()
    _INITIALIZED = True


@asynccontextmanager
async def lifespan(app):
    await init()
    yield


app = FastAPI(lifespan=lifespan)


@app.get("/")
async def index():
    return SETTINGS


handler = Mangum(app)
