"""LangChain: a `ChatOpenAI` whose every call, sync or async, goes through the gateway client.

`ChatOpenAI` uses four clients (`client`, `async_client`, `root_client`, `root_async_client`). Any
one left unset is built by LangChain itself, from `OPENAI_API_KEY` and for api.openai.com, with no
error: async calls then bypass the gateway while sync ones work. It also switches to the Responses
API (`/v1/responses`, which OmniGate lacks) for some models and options, and asks for stream usage
only when it built the clients itself. `chat_model` sets all four, the chat-completions API, and
stream usage.

`ChatOpenAI` judges a model by its name when it is built: a name starting `gpt-5` has its temperature
dropped (the model takes only 1: LiteLLM refuses any other with a 400), and its profile (context window,
structured output, which summarization by a fraction of the window needs) comes from a table of OpenAI's
names. A Flow name (`openai/gpt-5-mini`) matches neither, so `chat_model` has those judgments made on the
name the gateway's profile judges it by (`judged_model_name`: the model part, or `gpt-5` for a name such as
`azure/my-gpt-5-deployment` that LiteLLM serves as one), then names the model as the gateway routes it. The
tokenizer of `get_num_tokens_from_messages` is picked by that name too (`tiktoken_model_name`): by the Flow
name LangChain fell back to `cl100k_base`, then refused to count a chat of a name not starting `gpt-`.
Judgments LangChain makes later, on each call, see the gateway's name: its `developer` role for a name
starting `o1`..`o9` (a `system` message serves an o-series model as well) and its fallback from
`json_schema` for `gpt-4-` names.

Errors: LangChain re-raises `openai` status errors as its own subclasses (`OpenAIRateLimitError`,
...); the gateway's typed error is their `__cause__`. Errors it doesn't map, like the gateway's 402
`BudgetExceededError`, arrive unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import default_model, pair

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["chat_model"]


def chat_model(client: OpenAI, async_client: AsyncOpenAI | None = None, **kwargs: Any) -> ChatOpenAI:
    """A `ChatOpenAI` over `client` (and `async_client`, or a twin of `client` with its settings).

    Other keywords are `ChatOpenAI`'s (`model=`, `temperature=`, ...); `model` is the gateway's default
    when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).
    """
    from langchain_openai import ChatOpenAI

    sync, async_ = pair(client, async_client)
    options: dict[str, Any] = {"use_responses_api": False, "stream_usage": True, **kwargs}
    model = default_model(sync, options.pop("model", None))
    judged = sync._profile.judged_model_name(model)
    built = ChatOpenAI(
        model=judged,
        client=sync.chat.completions,
        async_client=async_.chat.completions,
        root_client=sync,
        root_async_client=async_,
        **options,
    )
    if judged == model:
        return built
    return built.model_copy(update={"model_name": model, "tiktoken_model_name": built.tiktoken_model_name or judged})
