"""Events API: each request hands its event to a background auditor and sends it itself; both
use the one event-bus client opened at import time."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


class BusClient:
    def __init__(self) -> None:
        self.sent = []

    async def send(self, topic: str, event: dict) -> None:
        await asyncio.sleep(0)
        self.sent.append((topic, event))


async def open_bus() -> BusClient:
    """Stand-in for connecting to the event bus."""
    await asyncio.sleep(0.2)
    count_work("bus")
    return BusClient()


BUS = asyncio.run(open_bus())
CLIENTS_SEEN = set()


async def audit(event: dict) -> None:
    CLIENTS_SEEN.add(id(BUS))
    await BUS.send("audit", event)


app = FastAPI()


@app.post("/events")
async def track(event: dict):
    auditor = asyncio.create_task(audit(event))
    CLIENTS_SEEN.add(id(BUS))
    await BUS.send("events", event)
    await auditor
    return {"accepted": event["name"], "clients": len(CLIENTS_SEEN)}


handler = Mangum(app)
