@{contextlib.asynccontextmanager}
async def {hook}(app: {typing.Any}) -> {typing.AsyncIterator}[None]:
    await {init}()
    yield
