"""Report API: a module-level loop runs the start-up work and is reused by the routes."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work


async def load_templates() -> dict:
    """Stand-in for reading the report templates from S3."""
    await asyncio.sleep(0.2)
    count_work("templates")
    return {"daily": "Daily report: {n} orders"}


def render(template: str, n: int) -> str:
    return template.format(n=n)


loop = asyncio.get_event_loop()
TEMPLATES = loop.run_until_complete(load_templates())

app = FastAPI()


@app.get("/report")
async def report():
    text = await loop.run_in_executor(None, render, TEMPLATES["daily"], 42)
    return {"report": text}


handler = Mangum(app)
