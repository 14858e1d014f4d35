"""Orders API (reproducer R7): the lifespan closes the database after its yield, and the Lambda
handler keeps the lifespan off so that the database stays open across invocations."""

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


class Database:
    def __init__(self) -> None:
        self.closed = False

    async def fetch(self, table: str) -> list:
        if self.closed:
            raise RuntimeError("the database connection is closed")
        await asyncio.sleep(0)
        return [{"id": 7, "table": table}]

    async def close(self) -> None:
        self.closed = True


async def connect() -> Database:
    await asyncio.sleep(0.2)
    count_work("database")
    return Database()


DB = asyncio.run(connect())


@asynccontextmanager
async def lifespan(app):
    yield
    await DB.close()


app = FastAPI(lifespan=lifespan)


def database_state() -> str:
    return "closed" if DB.closed else "open"


@app.get("/orders")
async def orders():
    return {"orders": await DB.fetch("orders"), "database": database_state()}


handler = Mangum(app, lifespan="off")
