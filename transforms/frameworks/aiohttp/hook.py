async def {hook}(application: {typing.Any}) -> None:
    await {init}()


{app}.on_startup.append({hook})
