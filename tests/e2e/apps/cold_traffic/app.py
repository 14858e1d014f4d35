"""Classifier API: a slow model load at import time, read by the route (cold traffic reaches it
all at once under uvicorn)."""

import asyncio

from fastapi import FastAPI
from mangum import Mangum

from e2e_counter import count_work


async def load_model() -> dict:
    """Stand-in for downloading the model weights from S3."""
    await asyncio.sleep(0.2)
    count_work("model")
    return {"labels": ["ham", "spam"], "threshold": 0.5}


MODEL = asyncio.run(load_model())

app = FastAPI()


@app.get("/classify")
async def classify(score: float):
    label = MODEL["labels"][int(score >= MODEL["threshold"])]
    return {"label": label}


handler = Mangum(app)
