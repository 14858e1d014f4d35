from shared import loop


async def job():
    return 1


def work():
    return loop.run_until_complete(job())
