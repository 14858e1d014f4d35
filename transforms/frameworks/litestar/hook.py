async def {hook}() -> None:
    await {init}()
