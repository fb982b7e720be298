"""openai-agents: agents that call the gateway's chat completions, and tracing that never sees its key.

`set_default_openai_client(client)` alone is not enough: agents then call `/v1/responses`, which
OmniGate lacks, unless the chat-completions API is chosen too; and with `use_for_tracing=True` (its
default) the client's `api_key` becomes the key that trace batches carry to api.openai.com. The
gateway client's `api_key` is a placeholder, so the gateway key can't leak that way, but tracing
would still send every prompt and answer to OpenAI. `install` sets the client with the
chat-completions API and turns tracing off. `chat_model` wires one agent without global state.

Model names: openai-agents' default provider reads `openai/gpt-4o` as OpenAI's `gpt-4o` (it strips the
prefix) and refuses other prefixes (`anthropic/...`: "Unknown prefix"), while a gateway that names
models `provider/model` (Flow) needs them as written. `model_provider` is a provider that sends them so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._clients import as_async, default_model

if TYPE_CHECKING:
    from agents import MultiProvider, OpenAIChatCompletionsModel

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["chat_model", "install", "model_provider"]


def install(client: AsyncOpenAI | OpenAI) -> None:
    """Make `client` (or its async twin) the default of every agent: chat completions, no tracing.

    To trace anyway, export to your own collector with `agents.set_trace_processors([...])` after this.
    """
    from agents import set_default_openai_api, set_default_openai_client, set_tracing_disabled

    set_default_openai_client(as_async(client), use_for_tracing=False)
    set_default_openai_api("chat_completions")
    set_tracing_disabled(True)


def chat_model(client: AsyncOpenAI | OpenAI, model: str | None = None) -> OpenAIChatCompletionsModel:
    """A model for `Agent(model=...)` that calls the gateway's chat completions through `client`; `model` is
    the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Tracing stays as the application set it: run with `RunConfig(tracing_disabled=True)` (or call
    `install`) unless prompts may go to OpenAI's tracing with your `OPENAI_API_KEY`.
    """
    from agents import OpenAIChatCompletionsModel

    gateway = as_async(client)
    return OpenAIChatCompletionsModel(model=default_model(gateway, model), openai_client=gateway)


def model_provider(client: AsyncOpenAI | OpenAI) -> MultiProvider:
    """A provider for `RunConfig(model_provider=...)`: every agent's model name sent as written, over chat completions.

    For `provider/model` names (the Flow gateway's), which openai-agents' default provider rewrites or refuses.
    Tracing stays as the application set it, as with `chat_model`.
    """
    from agents import MultiProvider

    return MultiProvider(
        openai_client=as_async(client),
        openai_use_responses=False,
        openai_prefix_mode="model_id",
        unknown_prefix_mode="model_id",
    )
