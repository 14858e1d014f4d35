SETTINGS = None
_SETTINGS_LOADED = False


async def fetch_settings():
    return {"debug": False}


async def load_settings():
    """Load SETTINGS on first use, inside the running event loop."""
    global SETTINGS, _SETTINGS_LOADED
    if not _SETTINGS_LOADED:
        SETTINGS = await fetch_settings()
        _SETTINGS_LOADED = True
    return SETTINGS
