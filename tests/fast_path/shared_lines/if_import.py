"""An import in a one-line `if` binds the name the loop call uses."""
if True: from asyncio import get_event_loop

LOOP = get_event_loop()
