# Run with `python run.py`: nothing imports this launcher, and its one loop runs the server.
import asyncio

from hypercorn.asyncio import serve
from hypercorn.config import Config

from app import app

config = Config()
config.bind = ["0.0.0.0:8000"]

asyncio.run(serve(app, config))
