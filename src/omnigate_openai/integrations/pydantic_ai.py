"""pydantic-ai: an `OpenAIChatModel` over the gateway client whose structured output is prompted.

pydantic-ai's default structured output calls a tool (`tools`), `NativeOutput` sends a JSON schema
(`response_format`), and `PromptedOutput` adds `response_format={"type": "json_object"}` for OpenAI
models; OmniGate drops all three, so the client refuses them with `UnsupportedFeatureError`.
`chat_model` gives the model a profile without tools or JSON modes, so `output_type=` works by
prompting alone. `max_retries` in model settings copies the client through `with_options`, which
keeps every gateway setting.
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
"""The profile keys that keep pydantic-ai from sending `tools` or `response_format`."""


def chat_model(client: AsyncOpenAI | OpenAI, model: str = "gpt-4o-mini", **kwargs: Any) -> OpenAIChatModel:
    """An `OpenAIChatModel` for `model` over `client` (or its async twin), with prompted structured output.

    Other keywords are `OpenAIChatModel`'s (`settings=`, ...); a `profile=` dict is merged over ours.
    """
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.profiles import merge_profile
    from pydantic_ai.providers.openai import OpenAIProvider

    provider = OpenAIProvider(openai_client=as_async(client))
    profile = merge_profile(provider.model_profile(model), PROMPTED_ONLY, kwargs.pop("profile", None))  # type: ignore[arg-type]
    return OpenAIChatModel(model, provider=provider, profile=profile, **kwargs)
