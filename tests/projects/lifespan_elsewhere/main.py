import asyncio

from fastapi import FastAPI

app = FastAPI()


@app.on_event("startup")
async def connect():
    app.state.pool = object()


async def fetch():
    return 1


X = asyncio.run(fetch())


@app.get("/")
async def index():
    return X
