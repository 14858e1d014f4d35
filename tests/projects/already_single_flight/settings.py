# Fixed by loopfix already (the single-flight guard): importers must read SETTINGS through the
# module, after awaiting its guard.
import asyncio

SETTINGS = None
_SETTINGS_LOADED = False
_SETTINGS_LOADING: "asyncio.Future[None] | None" = None


async def fetch_settings():
    return {"debug": False}


async def load_settings() -> None:
    """Load SETTINGS once, on first use, inside the running event loop.

    Concurrent callers share one load; after a failed load the next caller tries again.
    """
    global _SETTINGS_LOADING

    async def load() -> None:
        global SETTINGS, _SETTINGS_LOADED
        SETTINGS = await fetch_settings()
        _SETTINGS_LOADED = True

    if not _SETTINGS_LOADED:
        loading = _SETTINGS_LOADING
        if (
            loading is None
            or loading.done()
            or loading.get_loop() is not asyncio.get_running_loop()
        ):
            loading = _SETTINGS_LOADING = asyncio.ensure_future(load())
        await asyncio.shield(loading)
