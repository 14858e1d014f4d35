from discord.ext import commands


class Schedule(commands.Cog):
    @commands.command()
    async def today(self, ctx):
        await ctx.send("nothing today")


async def setup(bot):
    await bot.add_cog(Schedule())
