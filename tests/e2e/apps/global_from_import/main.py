"""Notes API: reads the settings another module loaded, imported by name."""

from fastapi import FastAPI
from mangum import Mangum

from config import SETTINGS

app = FastAPI()


@app.get("/notes")
async def notes():
    return {"page_size": SETTINGS["page_size"], "region": SETTINGS["region"]}


handler = Mangum(app)
