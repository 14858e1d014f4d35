"""Discord rates bot on discord.py 2: the rates client is opened at import time; the client
has a setup_hook."""

import asyncio
import os

import discord

from e2e_counter import count_work

RATE_TABLE = {"EUR": 0.5, "GBP": 0.25}


class RatesClient:
    """Stand-in for an aiohttp.ClientSession: bound to the event loop it was opened on."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()

    async def rate(self, currency: str) -> float:
        await asyncio.sleep(0)
        answer = self.loop.create_future()
        self.loop.call_soon(answer.set_result, RATE_TABLE[currency])
        return await answer


async def open_client() -> RatesClient:
    """Stand-in for opening the session and authenticating with the rates service."""
    await asyncio.sleep(0.2)
    client = RatesClient()
    count_work("client")
    return client


CLIENT = asyncio.run(open_client())


class RatesBot(discord.Client):
    async def setup_hook(self) -> None:
        self.started = True

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        if message.content == "!rate":
            await message.channel.send(f"EUR {await CLIENT.rate('EUR')}")


intents = discord.Intents.default()
intents.message_content = True
client = RatesBot(intents=intents)

if __name__ == "__main__":
    client.run(os.environ["DISCORD_TOKEN"])
