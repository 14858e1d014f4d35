"""A module that defines its own `get_event_loop` (as asyncio's `events.py` does): its
aliases and calls at import time are not asyncio's, so nothing here is a finding."""
import threading


class _Local(threading.local):
    loop = None


_local = _Local()


def get_event_loop():
    return _local.loop


def new_event_loop():
    return object()


_saved_get_event_loop = get_event_loop
_saved_new_event_loop = new_event_loop
DEFAULT = new_event_loop()
CURRENT = get_event_loop()
