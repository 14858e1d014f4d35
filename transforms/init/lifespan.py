@asynccontextmanager
async def {lifespan}(app):
    await {init}()
    yield
