import asyncio

from fastapi import FastAPI


async def load_settings():
    return {"region": "eu-west-1"}


# worker.py imports LEGACY_LOOP: no fix may delete it, whatever the strategy.
LEGACY_LOOP = asyncio.new_event_loop()
asyncio.set_event_loop(LEGACY_LOOP)
SETTINGS = LEGACY_LOOP.run_until_complete(load_settings())

app = FastAPI()


@app.get("/")
async def root():
    return SETTINGS
