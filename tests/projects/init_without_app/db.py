"""The database module: migrations run when it is imported. It builds no app."""

import asyncio

MIGRATED = []


async def migrate() -> None:
    MIGRATED.extend(["0001_initial", "0002_invoices"])


def applied_migrations() -> list:
    return list(MIGRATED)


asyncio.run(migrate())
