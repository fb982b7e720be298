"""LlamaIndex: `OpenAILike` and `OpenAIResponses` LLMs that send chat calls through the gateway clients.

`OpenAILike` calls `/v1/completions` (which OmniGate lacks) unless `is_chat_model=True`, and it
builds its async client itself, from `OPENAI_API_KEY`, unless `async_openai_client` is given too.
`llm` sets both clients and the chat API, and `is_function_calling_model=True` (`OpenAILike`'s
default is False): the gateway client serves tools by prompt, so `FunctionAgent`,
`structured_predict` (which forces `tool_choice="required"`) and `as_structured_llm` take their
function-calling paths. Needs `llama-index-llms-openai-like>=0.8` (openai<3).

`OpenAIResponses` builds both of its clients from `OPENAI_API_KEY` unless both are given, and keeps
that key in its fields. `responses_llm` gives it both gateway clients and the key placeholder; the
client's Responses API serves its calls over the gateway's chat route. It also sizes its context
window by the model's name, from a table that knows `gpt-4o` but not the Flow gateway's
`openai/gpt-4o` ("Unknown model" at the first call): `responses_llm` looks such a name up by its model.

Both helpers turn off LlamaIndex's own retries (`max_retries=0`; pass it to have them back), which
would repeat, after waits of their own, a call the client already retried as far as the gateway
allows or stopped at its `deadline`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import KEY_PLACEHOLDER
from ._clients import pair

if TYPE_CHECKING:
    from llama_index.llms.openai import OpenAIResponses  # type: ignore[import-not-found,import-untyped,unused-ignore]
    from llama_index.llms.openai_like import OpenAILike  # type: ignore[import-not-found,import-untyped,unused-ignore]

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["llm", "responses_llm"]


def llm(client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str, **kwargs: Any) -> OpenAILike:
    """An `OpenAILike` for `model` over `client` (and `async_client`, or a twin of `client`).

    Other keywords are `OpenAILike`'s (`temperature=`, `context_window=`, ...).
    """
    from llama_index.llms.openai_like import OpenAILike

    options = {"is_chat_model": True, "is_function_calling_model": True, **kwargs}
    return _wired(OpenAILike, client, async_client, model=model, **options)  # type: ignore[no-any-return,unused-ignore]


def responses_llm(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str, **kwargs: Any
) -> OpenAIResponses:
    """An `OpenAIResponses` for `model` over `client` (and `async_client`, or a twin of `client`).

    Other keywords are `OpenAIResponses`' (`temperature=`, `instructions=`, `context_window=`, ...).
    """
    from llama_index.llms.openai import OpenAIResponses

    return _wired(OpenAIResponses, client, async_client, model=model, **{**_sized(model), **kwargs})  # type: ignore[no-any-return,unused-ignore]


def _sized(model: str) -> dict[str, Any]:
    """The `context_window` of a `provider/model` name from LlamaIndex's table, by its model part; else nothing.

    A model part the table doesn't know is left to `OpenAIResponses`, which raises as for the whole name.
    """
    from llama_index.llms.openai.utils import openai_modelname_to_contextsize  # type: ignore[import-not-found,import-untyped,unused-ignore]

    _, slash, named = model.partition("/")
    if not slash:
        return {}
    try:
        return {"context_window": openai_modelname_to_contextsize(named)}
    except ValueError:
        return {}


def _wired(llm_class: Any, client: OpenAI, async_client: AsyncOpenAI | None, **options: Any) -> Any:
    """Both LLM classes take their clients, URL and key the same way; their own retries are off by default."""
    sync, async_ = pair(client, async_client)
    return llm_class(
        openai_client=sync,
        async_openai_client=async_,
        # Only shown, never sent: requests go through the clients above.
        api_base=str(sync.base_url),
        api_key=KEY_PLACEHOLDER,
        **{"max_retries": 0, **options},
    )
