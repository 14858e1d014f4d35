{placeholders}
{flag} = False
{in_flight}: "{asyncio}.Future[None] | None" = None


async def {loader}() -> None:
    """Load {names} once, on first use, inside the running event loop.

    Concurrent callers share one load; after a failed load the next caller tries again.
    """
    global {in_flight}

    async def {inner}() -> None:
        global {globals}
{body}
        {flag} = True

    if not {flag}:
        {future} = {in_flight}
        if (
            {future} is None
            or {future}.done()
            or {future}.get_loop() is not {asyncio}.get_running_loop()
        ):
            {future} = {in_flight} = {asyncio}.ensure_future({inner}())
        await {asyncio}.shield({future})
