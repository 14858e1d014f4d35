# A server module that also launches itself, and that the tests import: not an entry point.
# Its import-time pool is a finding; the fix loads it lazily and puts the server's run under
# the guard, so that importing the module no longer starts the server.
import asyncio

import uvicorn
from fastapi import FastAPI

from db import connect

app = FastAPI()
POOL = asyncio.run(connect())


@app.get("/users")
async def users():
    return await POOL.fetch("SELECT name FROM users")


uvicorn.run(app, host="0.0.0.0", port=8000)
