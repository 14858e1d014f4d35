import asyncio

MIGRATED = []


async def migrate():
    await asyncio.sleep(0)
    MIGRATED.append(True)


asyncio.run(migrate())
