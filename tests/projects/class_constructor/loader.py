import asyncio

from aiogram import Bot, Dispatcher

from database import Database

bot = Bot(token="TOKEN")
dp = Dispatcher(bot)
db = Database(loop=asyncio.get_event_loop())
