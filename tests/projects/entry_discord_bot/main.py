# discord.py 2: the extensions load in a loop that closes before `bot.run` starts its own: two
# loops in sequence, reported; where the work goes (setup_hook) is the author's to say.
import asyncio
import os

import discord
from discord.ext import commands

bot = commands.Bot(command_prefix="/", intents=discord.Intents.all())


async def load_initial_extensions():
    for extension in ["cogs.schedule"]:
        await bot.load_extension(extension)


asyncio.run(load_initial_extensions())
bot.run(os.environ["TOKEN"])
