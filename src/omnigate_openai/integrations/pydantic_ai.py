"""pydantic-ai: an `OpenAIChatModel` over the gateway client, with pydantic-ai's own defaults.

The gateway client serves `tools` and `response_format` by prompt, so pydantic-ai's function tools,
its default structured output (`ToolOutput`, a tool call), `NativeOutput` (a JSON schema) and
`PromptedOutput` all work as they do against OpenAI. `chat_model` only hands pydantic-ai the async
twin of a sync client. `max_retries` in model settings copies the client through `with_options`,
which keeps every gateway setting. A client built with `emulate_tools=False` refuses tools and
JSON modes: give such a model `profile=PROMPTED_ONLY` to keep pydantic-ai from sending them.

pydantic-ai reads a model's capabilities from its name, and a `provider/model` name (the Flow
gateway's) misleads it: `openai/gpt-4o` passed for an o-series reasoning model in 2.31 (its Responses
calls then asked for encrypted reasoning), `openai/gpt-5-mini` for no reasoning model in 2.68. Both
helpers give such a name the profile of the OpenAI name the gateway judges it by (`gpt-4o`; `gpt-5` for
`azure/my-gpt-5-deployment`, which LiteLLM serves as GPT-5), or of its model part where pydantic-ai knows
that model reasons, unless `profile=` is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import as_async, default_model

if TYPE_CHECKING:
    from pydantic_ai.models.openai import OpenAIChatModel, OpenAIResponsesModel

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["PROMPTED_ONLY", "chat_model", "responses_model"]

PROMPTED_ONLY: dict[str, Any] = {
    "supports_tools": False,
    "supports_json_schema_output": False,
    "supports_json_object_output": False,
    "default_structured_output_mode": "prompted",
}
"""The profile keys that keep pydantic-ai from sending `tools` or `response_format` (for `emulate_tools=False`)."""


def chat_model(client: AsyncOpenAI | OpenAI, model: str | None = None, **kwargs: Any) -> OpenAIChatModel:
    """An `OpenAIChatModel` for `model` over `client` (or its async twin); `model` is the gateway's default
    when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are `OpenAIChatModel`'s (`settings=`, `profile=`, ...).
    """
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    gateway = as_async(client)
    model = default_model(gateway, model)
    provider = OpenAIProvider(openai_client=gateway)
    return OpenAIChatModel(model, provider=provider, **{**_profiled(gateway, model), **kwargs})


def responses_model(client: AsyncOpenAI | OpenAI, model: str | None = None, **kwargs: Any) -> OpenAIResponsesModel:
    """An `OpenAIResponsesModel` for `model` over `client` (or its async twin), served over chat completions;
    `model` is the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are `OpenAIResponsesModel`'s (`settings=`, `profile=`, ...).
    """
    from pydantic_ai.models.openai import OpenAIResponsesModel
    from pydantic_ai.providers.openai import OpenAIProvider

    gateway = as_async(client)
    model = default_model(gateway, model)
    provider = OpenAIProvider(openai_client=gateway)
    return OpenAIResponsesModel(model, provider=provider, **{**_profiled(gateway, model), **kwargs})


def _profiled(gateway: AsyncOpenAI, model: str) -> dict[str, Any]:
    """`profile=` for a name pydantic-ai cannot read (a Flow `provider/model`), or nothing for a name judged as
    itself. pydantic-ai's profile of the model part (the last segment) where pydantic-ai knows that model reasons:
    it knows newer models than the stand-in the gateway may judge the name by (`openai/gpt-6-astra` would get GPT-5's
    efforts, `minimal` among them, which LiteLLM refuses for it). Else its profile of the judged name
    (`judged_model_name`: `azure/my-gpt-5-deployment` reasons, as GPT-5 does, so no temperature is sent)."""
    from pydantic_ai.providers.openai import OpenAIProvider

    judged = gateway._profile.judged_model_name(model)
    if judged == model:
        return {}
    own = OpenAIProvider.model_profile(model.rsplit("/", 1)[-1])
    if own is not None and own.get("openai_supports_reasoning"):
        return {"profile": own}
    return {"profile": OpenAIProvider.model_profile(judged)}
