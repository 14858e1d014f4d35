"""AWS Lambda handler (reproducer R1, handler module apart from the app): keeps the lifespan off
and runs the app's start-up itself, once per container, so that one database pool serves every
invocation."""

import asyncio
import os

from mangum import Mangum

from app import app

handler = Mangum(app, lifespan="off")

if "AWS_EXECUTION_ENV" in os.environ:
    loop = asyncio.get_event_loop()
    loop.run_until_complete(app.router.startup())
