@{app}.before_serving
async def {hook}() -> None:
    await {init}()
