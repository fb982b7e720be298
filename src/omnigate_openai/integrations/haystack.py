"""Haystack: chat generators whose calls, sync and async, go through the gateway clients.

`OpenAIChatGenerator` and `OpenAIResponsesChatGenerator` build their clients themselves on
`warm_up()` (and again after `close()`), from `OPENAI_API_KEY` and for api.openai.com, and their
async client on the first async run. The helpers set both clients before that can happen, and give
the generator the gateway's base URL and the key placeholder, so that a client rebuilt later (after
`close()`, or by `from_dict` of a serialized pipeline) still goes to the gateway, where the
placeholder fails with a 401 instead of leaking a request to OpenAI. The Responses generator's
`responses.create` / `parse` calls are served by the gateway client's Responses API, over the
gateway's chat route. Telemetry: Haystack reports usage to PostHog unless
`HAYSTACK_TELEMETRY_ENABLED=False`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from .._client import KEY_PLACEHOLDER
from ._clients import pair

if TYPE_CHECKING:
    from haystack.components.generators.chat import OpenAIChatGenerator, OpenAIResponsesChatGenerator

    from .._client import AsyncOpenAI, OpenAI

    _GeneratorT = TypeVar("_GeneratorT", OpenAIChatGenerator, OpenAIResponsesChatGenerator)

__all__ = ["chat_generator", "responses_chat_generator"]


def chat_generator(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str = "gpt-4o-mini", **kwargs: Any
) -> OpenAIChatGenerator:
    """An `OpenAIChatGenerator` for `model` over `client` (and `async_client`, or a twin of `client`).

    Other keywords are the generator's (`generation_kwargs=`, `tools=`, `streaming_callback=`, ...).
    Give it to `haystack.components.agents.Agent(chat_generator=...)` for a tool agent.
    """
    from haystack.components.generators.chat import OpenAIChatGenerator

    return _wired(OpenAIChatGenerator, client, async_client, model=model, **kwargs)


def responses_chat_generator(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str = "gpt-4o-mini", **kwargs: Any
) -> OpenAIResponsesChatGenerator:
    """An `OpenAIResponsesChatGenerator` for `model` over `client` (and `async_client`, or a twin of `client`).

    Other keywords are the generator's (`generation_kwargs=`, `tools=`, `streaming_callback=`, ...);
    `model` defaults to `gpt-4o-mini` (Haystack's default, `gpt-5-mini`, may not be on the gateway).
    """
    from haystack.components.generators.chat import OpenAIResponsesChatGenerator

    return _wired(OpenAIResponsesChatGenerator, client, async_client, model=model, **kwargs)


def _wired(
    generator_cls: type[_GeneratorT], client: OpenAI, async_client: AsyncOpenAI | None, **kwargs: Any
) -> _GeneratorT:
    """Both generators take the same keywords for their clients and keep them as `client` / `async_client`."""
    from haystack.utils import Secret

    sync, async_ = pair(client, async_client)
    generator = generator_cls(api_key=Secret.from_token(KEY_PLACEHOLDER), api_base_url=str(sync.base_url), **kwargs)
    generator.client = sync
    generator.async_client = async_
    return generator
