"""AutoGen: a chat-completion client for `AssistantAgent` that calls the gateway through our client.

`OpenAIChatCompletionClient(...)` always builds its own `openai.AsyncOpenAI` from its keyword
arguments (and, for model names starting `gemini-`, `claude-` or `Llama-`, points it at those
vendors' URLs with their keys from the environment). `chat_client` builds AutoGen's base client
around the gateway's `AsyncOpenAI` instead. A model name AutoGen doesn't know needs `model_info=`
(its capabilities); known OpenAI names get AutoGen's own table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import as_async

if TYPE_CHECKING:
    from autogen_core.models import ModelInfo
    from autogen_ext.models.openai import BaseOpenAIChatCompletionClient

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["chat_client"]


def chat_client(
    client: AsyncOpenAI | OpenAI,
    *,
    model: str = "gpt-4o-mini",
    model_info: ModelInfo | None = None,
    **create_args: Any,
) -> BaseOpenAIChatCompletionClient:
    """A `BaseOpenAIChatCompletionClient` for `model` over `client` (or its async twin).

    Other keywords are sent with every call (`temperature=`, `max_tokens=`, ...).
    """
    from autogen_ext.models.openai import BaseOpenAIChatCompletionClient

    return BaseOpenAIChatCompletionClient(
        as_async(client), create_args={"model": model, **create_args}, model_info=model_info
    )
