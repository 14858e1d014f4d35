"""Telegram rates bot on aiogram 3: the rates client is opened at import time; the dispatcher
has a startup handler."""

import asyncio
import logging
import os

from aiogram import Bot, Dispatcher
from aiogram.filters import Command
from aiogram.types import Message

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

dp = Dispatcher()
bot = Bot(token=os.environ.get("BOT_TOKEN", "123456:E2E-TEST-TOKEN"))


@dp.startup()
async def on_startup(bot: Bot) -> None:
    logging.getLogger(__name__).info("rates bot starting")


@dp.message(Command("rate"))
async def rate(message: Message) -> None:
    await message.answer(f"EUR {await CLIENT.rate('EUR')}")


if __name__ == "__main__":
    asyncio.run(dp.start_polling(bot))
