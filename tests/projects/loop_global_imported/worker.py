from main import LEGACY_LOOP


def submit(coro):
    return LEGACY_LOOP.run_until_complete(coro)
