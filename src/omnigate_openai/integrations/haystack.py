"""Haystack: an `OpenAIChatGenerator` whose calls, sync and async, go through the gateway clients.

The generator builds its clients itself on `warm_up()` (and again after `close()`), from
`OPENAI_API_KEY` and for api.openai.com, and its async client on the first async run. `chat_generator`
sets both clients before that can happen, and gives the generator the gateway's base URL and the
key placeholder, so that a client rebuilt later (after `close()`, or by `from_dict` of a serialized
pipeline) still goes to the gateway, where the placeholder fails with a 401 instead of leaking a
request to OpenAI. Telemetry: Haystack reports usage to PostHog unless `HAYSTACK_TELEMETRY_ENABLED=False`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import KEY_PLACEHOLDER
from ._clients import pair

if TYPE_CHECKING:
    from haystack.components.generators.chat import OpenAIChatGenerator

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["chat_generator"]


def chat_generator(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str = "gpt-4o-mini", **kwargs: Any
) -> OpenAIChatGenerator:
    """An `OpenAIChatGenerator` for `model` over `client` (and `async_client`, or a twin of `client`).

    Other keywords are the generator's (`generation_kwargs=`, `tools=`, `streaming_callback=`, ...).
    Give it to `haystack.components.agents.Agent(chat_generator=...)` for a tool agent.
    """
    from haystack.components.generators.chat import OpenAIChatGenerator
    from haystack.utils import Secret

    sync, async_ = pair(client, async_client)
    generator = OpenAIChatGenerator(
        api_key=Secret.from_token(KEY_PLACEHOLDER), api_base_url=str(sync.base_url), model=model, **kwargs
    )
    generator.client = sync
    generator.async_client = async_
    return generator
