"""A loop call after an import on the same line."""
import asyncio; RESULT = asyncio.run(asyncio.sleep(0, 1))
