"""An import in a compound statement binds the name the loop call uses."""
try: from asyncio import run
except ImportError: run = None


async def job():
    return 1


RESULT = run(job())
