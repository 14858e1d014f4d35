"""asyncio.run(main()) in a docstring, and new_event_loop() too."""
import asyncio  # asyncio.get_event_loop() in a comment

TEMPLATE = 'loop.run_until_complete(job())'
RAW = r'asyncio.run(\'x\')'
BYTES = b"asyncio.run(x)"
MULTI = """
loop = asyncio.new_event_loop()
"""
FORMATTED = f"{'asyncio.run'} and {len('get_event_loop')}"


async def job():
    await asyncio.sleep(0)


def helper():
    """A sync helper that never runs a loop."""
    return 1


class Service:
    def run(self):
        return asyncio.get_event_loop().run_until_complete(job())

    async def go(self):
        return await job()


if __name__ == "__main__":
    asyncio.run(job())
