@{app}.before_request
async def {hook}() -> None:
    """Awaits `{init}()` before every request, also when the server runs no lifespan."""
    await {init}()
