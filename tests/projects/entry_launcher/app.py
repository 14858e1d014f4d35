from quart import Quart

from store import load_greeting

app = Quart(__name__)


@app.route("/")
async def index():
    return await load_greeting()
