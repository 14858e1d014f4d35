"""Invoices API: imports the database module, which migrates at import time."""

from fastapi import FastAPI
from mangum import Mangum

import db

app = FastAPI()


@app.get("/migrations")
async def migrations():
    return {"applied": db.applied_migrations()}


handler = Mangum(app)
