import asyncio

from aiogram import Bot, Dispatcher

from utils.db import Database

bot = Bot(token="TOKEN")
dp = Dispatcher(bot)
loop = asyncio.get_event_loop()
db = Database()
loop.run_until_complete(db.create_pool())
