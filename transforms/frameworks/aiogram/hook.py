async def {hook}() -> None:
    await {init}()


{app}.startup.register({hook})
