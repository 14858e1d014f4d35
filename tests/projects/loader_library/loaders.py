"""Helpers that run a loop when called; this module never calls them itself."""
import asyncio


async def fetch_settings():
    return {"region": "eu-west-1"}


def load_settings():
    return asyncio.run(fetch_settings())


def load_settings_twice():
    return load_settings(), load_settings()
