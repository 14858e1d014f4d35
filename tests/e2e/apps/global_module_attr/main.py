"""Notes API: reads the settings another module loaded, through the module."""

from fastapi import FastAPI
from mangum import Mangum

import config

app = FastAPI()


@app.get("/notes")
async def notes():
    return {"page_size": config.SETTINGS["page_size"], "region": config.SETTINGS["region"]}


handler = Mangum(app)
