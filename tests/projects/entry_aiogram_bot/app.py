# aiogram 2: the executor polls on the current loop. The launcher is an entry point; the loader
# it imports is not, and its import-time pool is a finding.
from aiogram import executor

from loader import db, dp


async def on_startup(dispatcher):
    await db.create_tables()


if __name__ == "__main__":
    executor.start_polling(dp, on_startup=on_startup)
