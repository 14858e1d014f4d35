"""Quotes API: the rates come from a module-level loop; nothing else imports asyncio."""

from asyncio import new_event_loop
from typing import Optional

from fastapi import FastAPI


async def fetch_rates() -> Optional[dict[str, float]]:
    return {"EUR": 0.5}


loop = new_event_loop()
RATES = loop.run_until_complete(fetch_rates())
loop.close()

app = FastAPI()


@app.on_event("startup")
async def startup() -> None:
    app.state.ready = True


@app.get("/quote")
async def quote(amount: float) -> float:
    return amount * (RATES or {}).get("EUR", 0.0)
