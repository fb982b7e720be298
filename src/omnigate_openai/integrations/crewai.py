"""CrewAI: an LLM for agents (and their memory) that calls the gateway through our clients.

`LLM(model="openai/...")` builds CrewAI's native OpenAI provider, which makes its own
`openai.OpenAI` and `openai.AsyncOpenAI` from `OPENAI_API_KEY`, for api.openai.com; for OpenAI's own
URL it also asks `/v1/responses/input_tokens` to count tokens before each call (the gateway has no
such route). `llm` builds that provider with the gateway's base URL, so CrewAI treats it as an
OpenAI-compatible server (it counts tokens locally), and gives it the gateway clients.

Memory: `Crew(memory=True)` embeds with OpenAI's `text-embedding-3-large` through a client of its own,
to api.openai.com; OmniGate has no `/v1/embeddings`, so no embedder can go through the gateway.
`memory(llm, embedder=...)` builds CrewAI's `Memory` with the gateway LLM for its analysis calls and
the embedder you choose (a callable from texts to vectors, e.g. a local model); pass it as
`Crew(memory=...)`. Needs crewai 1.15 (which needs openai<3 and pydantic<2.13).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._client import KEY_PLACEHOLDER
from ._clients import default_model, pair

if TYPE_CHECKING:
    from crewai.llms.providers.openai.completion import OpenAICompletion
    from crewai.memory.unified_memory import Memory

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["llm", "memory"]

Embedder = Callable[[Sequence[str]], Sequence[Sequence[float]]]


def llm(
    client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str | None = None, **kwargs: Any
) -> OpenAICompletion:
    """CrewAI's OpenAI LLM for `model` over `client` (and `async_client`, or a twin); for `Agent(llm=...)`;
    `model` is the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are the LLM's (`temperature=`, `max_tokens=`, ...).
    """
    from crewai.llms.providers.openai.completion import OpenAICompletion

    sync, async_ = pair(client, async_client)
    # Only shown, never sent: the clients are replaced below, before any call.
    model = default_model(sync, model)
    built = OpenAICompletion(model=model, api_key=KEY_PLACEHOLDER, base_url=str(sync.base_url), **kwargs)
    built._client, built._async_client = sync, async_
    return built


def memory(gateway_llm: OpenAICompletion, *, embedder: Embedder, **kwargs: Any) -> Memory:
    """CrewAI's `Memory` that analyses with `gateway_llm` and embeds with `embedder`, never with OpenAI.

    Other keywords are `Memory`'s (`storage=`, `root_scope=`, ...).
    """
    from crewai.memory.unified_memory import Memory

    if not callable(embedder):
        raise TypeError(
            f"Expected `embedder=` to be a callable from texts to vectors, got {embedder!r}: "
            "OmniGate has no /v1/embeddings, so CrewAI's default OpenAI embedder cannot go through it"
        )
    return Memory(llm=gateway_llm, embedder=embedder, **kwargs)
