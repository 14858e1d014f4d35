"""The database module: migrations run when it is imported. It builds no app."""

import asyncio

from e2e_counter import count_work

MIGRATED = []


async def migrate() -> None:
    """Stand-in for applying the pending migrations."""
    await asyncio.sleep(0.2)
    MIGRATED.extend(["0001_initial", "0002_invoices"])
    count_work("migrations")


def applied_migrations() -> list:
    return list(MIGRATED)


asyncio.run(migrate())
