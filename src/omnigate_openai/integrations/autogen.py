"""AutoGen: a chat-completion client for `AssistantAgent` that calls the gateway through our client.

`OpenAIChatCompletionClient(...)` always builds its own `openai.AsyncOpenAI` from its keyword
arguments (and, for model names starting `gemini-`, `claude-` or `Llama-`, points it at those
vendors' URLs with their keys from the environment). `chat_client` builds AutoGen's base client
around the gateway's `AsyncOpenAI` instead. A model name AutoGen doesn't know needs `model_info=`
(its capabilities); known OpenAI names get AutoGen's own table, and so do `provider/model` names
(the Flow gateway's: `openai/gpt-4o`, `anthropic/claude-sonnet-4-20250514`) whose model it knows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import as_async, default_model

if TYPE_CHECKING:
    from autogen_core.models import ModelInfo
    from autogen_ext.models.openai import BaseOpenAIChatCompletionClient

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["chat_client"]


def chat_client(
    client: AsyncOpenAI | OpenAI,
    *,
    model: str | None = None,
    model_info: ModelInfo | None = None,
    **create_args: Any,
) -> BaseOpenAIChatCompletionClient:
    """A `BaseOpenAIChatCompletionClient` for `model` over `client` (or its async twin); `model` is
    the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are sent with every call (`temperature=`, `max_tokens=`, ...).
    """
    from autogen_ext.models.openai import BaseOpenAIChatCompletionClient

    gateway = as_async(client)
    model = default_model(gateway, model)
    _, slash, named = model.partition("/")
    if model_info is None and slash:
        # AutoGen's table, asked for the model part of the name (its lookup is private; a client built for
        # that name, never called, is its public face). A model it doesn't know raises as for the full name.
        try:
            model_info = BaseOpenAIChatCompletionClient(gateway, create_args={"model": named}).model_info
        except ValueError:
            model_info = None
    return BaseOpenAIChatCompletionClient(gateway, create_args={"model": model, **create_args}, model_info=model_info)
