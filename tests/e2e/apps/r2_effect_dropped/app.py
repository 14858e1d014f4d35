"""Users API (reproducer R2): the start-up creates the tables; the pool it returns is unused."""

from asyncio import get_event_loop, sleep

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work

TABLES = {}


class Pool:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn


async def create_db() -> Pool:
    """Stand-in for opening a pool and running CREATE TABLE IF NOT EXISTS."""
    await sleep(0.2)
    TABLES["users"] = [{"id": 1, "name": "ada"}, {"id": 2, "name": "grace"}]
    count_work("schema")
    return Pool("postgresql://users@db/users")


loop = get_event_loop()
db_pool = loop.run_until_complete(create_db())

app = FastAPI()


@app.get("/users")
async def list_users():
    return {"users": TABLES.get("users")}


handler = Mangum(app)
