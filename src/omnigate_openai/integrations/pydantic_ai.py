"""pydantic-ai: an `OpenAIChatModel` over the gateway client, with pydantic-ai's own defaults.

The gateway client serves `tools` and `response_format` by prompt, so pydantic-ai's function tools,
its default structured output (`ToolOutput`, a tool call), `NativeOutput` (a JSON schema) and
`PromptedOutput` all work as they do against OpenAI. `chat_model` only hands pydantic-ai the async
twin of a sync client. `max_retries` in model settings copies the client through `with_options`,
which keeps every gateway setting. A client built with `emulate_tools=False` refuses tools and
JSON modes: give such a model `profile=PROMPTED_ONLY` to keep pydantic-ai from sending them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import as_async

if TYPE_CHECKING:
    from pydantic_ai.models.openai import OpenAIChatModel

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["PROMPTED_ONLY", "chat_model"]

PROMPTED_ONLY: dict[str, Any] = {
    "supports_tools": False,
    "supports_json_schema_output": False,
    "supports_json_object_output": False,
    "default_structured_output_mode": "prompted",
}
"""The profile keys that keep pydantic-ai from sending `tools` or `response_format` (for `emulate_tools=False`)."""


def chat_model(client: AsyncOpenAI | OpenAI, model: str = "gpt-4o-mini", **kwargs: Any) -> OpenAIChatModel:
    """An `OpenAIChatModel` for `model` over `client` (or its async twin).

    Other keywords are `OpenAIChatModel`'s (`settings=`, `profile=`, ...).
    """
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    return OpenAIChatModel(model, provider=OpenAIProvider(openai_client=as_async(client)), **kwargs)
