"""Orders API: the schema is created by a bare asyncio.run() call before the app is built."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work

SCHEMA = {}


async def create_schema() -> None:
    """Stand-in for CREATE TABLE IF NOT EXISTS on the orders database."""
    await asyncio.sleep(0.2)
    SCHEMA["tables"] = ["customers", "orders"]
    count_work("schema")


asyncio.run(create_schema())

app = FastAPI()


@app.get("/tables")
async def tables():
    return {"tables": SCHEMA.get("tables")}


handler = Mangum(app)
