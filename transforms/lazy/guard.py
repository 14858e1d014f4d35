{placeholders}
{flag} = False


async def {loader}():
    """Load {names} on first use, inside the running event loop."""
    global {globals}
    if not {flag}:
{body}
        {flag} = True
    return {result}
