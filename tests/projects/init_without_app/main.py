"""Invoices API: imports a function of the database module, which migrates at import time."""

from fastapi import FastAPI
from mangum import Mangum

from db import applied_migrations

# The app.
app = FastAPI()


@app.get("/migrations")
async def migrations():
    return {"applied": applied_migrations()}


handler = Mangum(app)
