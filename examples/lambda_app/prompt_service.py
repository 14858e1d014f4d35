"""A stand-in for a prompt store reached over the network."""

import asyncio


class PromptService:
    """Fetches prompts by id."""

    _PROMPTS = {2: "Summarize the following text in one sentence:"}

    async def get_prompt(self, prompt_id: int) -> str:
        await asyncio.sleep(0)  # the network round trip
        return self._PROMPTS[prompt_id]
