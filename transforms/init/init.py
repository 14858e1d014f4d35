{flag} = False


async def {init}():
    """Run this module's start-up work once, inside the running event loop."""
    global {globals}
    if {flag}:
        return
{body}
    {flag} = True
