# `from hypercorn import run` imports hypercorn's `run`, not the launcher run.py: the launcher
# stays an entry point.
from hypercorn import run

print(run.__name__)
