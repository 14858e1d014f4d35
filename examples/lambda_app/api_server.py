"""A FastAPI app served on AWS Lambda by Mangum, with the bug loopfix exists for.

Run under uvicorn and everything works. Deploy it to Lambda and the first request fails with
`RuntimeError: There is no current event loop in thread 'MainThread'.`: the import-time
`asyncio.run()` below closes its loop before Mangum asks for one.

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
