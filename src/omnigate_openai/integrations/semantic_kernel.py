"""Semantic Kernel: an `OpenAIChatCompletion` service that calls the gateway through our async client.

The service reads `OPENAI_API_KEY` (or a `.env` file) and builds its own `openai.AsyncOpenAI` for
api.openai.com unless it is given `async_client=`. `chat_service` passes the gateway's. Its
`to_dict()` exports `client.api_key`, which on a gateway client is the placeholder
`omnigate-key-not-exposed`, never the gateway key. Needs semantic-kernel 1.x (which needs pydantic<2.14).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import as_async, default_model

if TYPE_CHECKING:
    from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["chat_service"]


def chat_service(client: AsyncOpenAI | OpenAI, *, model: str | None = None, **kwargs: Any) -> OpenAIChatCompletion:
    """An `OpenAIChatCompletion` for `model` over `client` (or its async twin); add it with `kernel.add_service`.
    `model` is the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are the service's (`service_id=`, `instruction_role=`, ...).
    """
    from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion

    gateway = as_async(client)
    return OpenAIChatCompletion(ai_model_id=default_model(gateway, model), async_client=gateway, **kwargs)
