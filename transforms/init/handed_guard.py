class {hook}:
    """Awaits `{init}()` before every request of the app handed to the server."""

    def __init__(self, app: {typing.Any}) -> None:
        self.app = app

    async def __call__(self, scope: {typing.Any}, receive: {typing.Any}, send: {typing.Any}) -> None:
        if scope["type"] != "lifespan":
            await {init}()
        await self.app(scope, receive, send)
