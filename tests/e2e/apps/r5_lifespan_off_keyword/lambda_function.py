"""AWS Lambda entry point: the lifespan is off, as a keyword."""

from mangum import Mangum

from main import app

handler = Mangum(app, lifespan="off")
