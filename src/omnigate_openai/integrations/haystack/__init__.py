"""Haystack: chat generators whose calls, sync and async, go through the gateway clients.

`OpenAIChatGenerator` and `OpenAIResponsesChatGenerator` build their clients themselves on
`warm_up()` (and again after `close()`), from `OPENAI_API_KEY` and for api.openai.com, and their
async client on the first async run. The helpers return their subclasses in `generators`, given
both gateway clients, and whose fields say how to build them again (after `close()`, or in a
pipeline loaded from YAML): the gateway's URL, headers, routing and bounds, and the name of the
variable holding the key, never the key. The Responses generator's `responses.create` / `parse`
calls are served by the gateway client's Responses API, over the gateway's chat route.
Telemetry: Haystack reports usage to PostHog unless `HAYSTACK_TELEMETRY_ENABLED=False`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..._client import AsyncOpenAI, OpenAI
    from .generators import GatewayChatGenerator, GatewayResponsesChatGenerator

__all__ = ["chat_generator", "responses_chat_generator"]


def chat_generator(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str | None = None, **kwargs: Any
) -> GatewayChatGenerator:
    """An `OpenAIChatGenerator` for `model` over `client` (and `async_client`, or a twin of `client`); `model` is
    the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are the generator's (`generation_kwargs=`, `tools=`, `streaming_callback=`, ...;
    `api_key=Secret.from_env_var(...)` names the variable a rebuilt client reads the key from).
    Give it to `haystack.components.agents.Agent(chat_generator=...)` for a tool agent.
    """
    from .generators import GatewayChatGenerator, wired

    return wired(GatewayChatGenerator, client, async_client, model=model, **kwargs)


def responses_chat_generator(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str | None = None, **kwargs: Any
) -> GatewayResponsesChatGenerator:
    """An `OpenAIResponsesChatGenerator` for `model` over `client` (and `async_client`, or a twin of `client`).

    Other keywords are the generator's (`generation_kwargs=`, `tools=`, `streaming_callback=`, ...);
    `model` is the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`):
    Haystack's own, `gpt-5-mini`, may not be on the gateway.
    """
    from .generators import GatewayResponsesChatGenerator, wired

    return wired(GatewayResponsesChatGenerator, client, async_client, model=model, **kwargs)
