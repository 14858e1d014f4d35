"""Summarizer API deployed with the ASGI lifespan turned off."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum
from e2e_counter import count_work

PROMPTS = {2: "Summarize the following text in three sentences."}


async def fetch_prompt(prompt_id: int) -> str:
    """Stand-in for an HTTP call to the prompt service."""
    await asyncio.sleep(0.2)
    count_work("prompt")
    return PROMPTS[prompt_id]


PROMPT_TEXT = asyncio.run(fetch_prompt(2))

app = FastAPI()


@app.post("/summarize")
async def summarize(data: dict):
    return {"prompt": PROMPT_TEXT, "chars": len(data["text"])}


handler = Mangum(app, lifespan="off")
