"""A FastAPI app served on AWS Lambda by Mangum, with the bug loopfix exists for.

The import-time `asyncio.run()` below closes its loop and leaves none current. With Mangum 0.15
to 0.19, the first request on Lambda fails with `RuntimeError: There is no current event loop in
thread 'MainThread'.` Under `uvicorn`, which imports the app inside its running loop, the import
fails with `RuntimeError: asyncio.run() cannot be called from a running event loop`.

    cargo run --release -- fix --diff examples/
"""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from .prompt_service import PromptService

prompt_service = PromptService()


async def fetch_prompt():
    return await prompt_service.get_prompt(prompt_id=2)


PROMPT_TEXT = asyncio.run(fetch_prompt())

app = FastAPI()


@app.get("/health")
async def health():
    return {"ok": True}


@app.post("/summarize")
async def summarize(data: dict):
    """Summarize the posted text with the prompt loaded at start-up."""
    return {"prompt": PROMPT_TEXT, "text": data.get("text", "")}


handler = Mangum(app)
