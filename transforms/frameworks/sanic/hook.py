@{app}.before_server_start
async def {hook}(application: {typing.Any}) -> None:
    await {init}()
