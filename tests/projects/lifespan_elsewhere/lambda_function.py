import os

from mangum import Mangum

from main import app

handler = Mangum(app, lifespan=os.environ.get("LIFESPAN", "off"))
other = Mangum(app, "off")
fine = Mangum(app)
