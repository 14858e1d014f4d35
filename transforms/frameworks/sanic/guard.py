@{app}.on_request
async def {hook}(request: {typing.Any}) -> None:
    """Awaits `{init}()` before every request, also when the server runs no lifespan."""
    await {init}()
