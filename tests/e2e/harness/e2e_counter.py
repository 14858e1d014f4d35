"""How many times each piece of start-up work ran in this process.

The apps under ``tests/e2e/apps`` call ``count_work("name")`` inside the async
function that does their start-up I/O, after the I/O succeeded. The driver
reads ``COUNTS`` when the run is over: a working app did each piece of work
exactly once per process, however many requests, invocations or concurrent
callers reached it.
"""

COUNTS = {}


def count_work(name):
    """Record one completed run of the start-up work called ``name``."""
    COUNTS[name] = COUNTS.get(name, 0) + 1
