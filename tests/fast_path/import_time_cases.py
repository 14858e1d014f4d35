import asyncio
import asyncio as aio
from asyncio import run as go, new_event_loop


async def job():
    return 1


def wrapper():
    return go(job())


A = aio.run(job())
B = wrapper()
if True: C = asyncio.get_event_loop().run_until_complete(job())
D = (
    asyncio.run(
        job()
    )
)
loop = new_event_loop()


class Config:
    E = go(job())


def default(x=aio.run(job())):
    return x


async def handler():
    return A, B, C, D, E
