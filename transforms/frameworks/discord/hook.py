@{app}.event
async def {hook}() -> None:
    await {init}()
