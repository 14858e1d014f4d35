"""AWS Lambda entry point: the lifespan comes from the environment, off by default."""

import os

from mangum import Mangum

from main import app

handler = Mangum(app, lifespan=os.environ.get("MANGUM_LIFESPAN", "off"))
