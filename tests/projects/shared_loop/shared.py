import asyncio

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)


async def notify(message):
    await loop.run_in_executor(None, print, message)
