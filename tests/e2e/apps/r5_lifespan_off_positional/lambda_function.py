"""AWS Lambda entry point: the lifespan is off, as a positional argument."""

from mangum import Mangum

from main import app

handler = Mangum(app, "off")
