"""Mirascope: `openai/...` model ids answered by the gateway's chat completions, through our clients.

Mirascope builds its providers itself, each with its own `openai.OpenAI` and `openai.AsyncOpenAI`,
from `OPENAI_API_KEY` and for api.openai.com, on the first call for a model id; and for a plain
`openai/<model>` id (its documented default form) it calls the Responses API (`/v1/responses`),
which OmniGate lacks. `register` puts, for the `openai/` scope, a provider that sends every call
through the gateway clients and the chat-completions API, so `llm.call("openai/gpt-4o-mini")` works
as written. An id with an explicit `:responses` suffix still calls `client.responses` (through the
gateway client), and `:completions` is chat completions as before. Needs `mirascope[openai]` 2.x (which needs openai<3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import KEY_PLACEHOLDER
from ._clients import pair

if TYPE_CHECKING:
    from mirascope.llm.providers.openai.provider import OpenAIProvider

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["provider", "register"]


def provider(client: OpenAI, async_client: AsyncOpenAI | None = None) -> OpenAIProvider:
    """Mirascope's OpenAI provider over `client` (and `async_client`, or a twin), on chat completions only."""
    from mirascope.llm.providers.openai.provider import OpenAIProvider

    class GatewayProvider(OpenAIProvider):  # type: ignore[misc,unused-ignore]
        """Chat completions, the gateway's route, unless the model id asks for `:responses` explicitly."""

        def _choose_subprovider(self, model_id: Any, messages: Any) -> Any:  # noqa: ARG002 (Mirascope's signature)
            return self._responses_provider if str(model_id).endswith(":responses") else self._completions_provider

    sync, async_ = pair(client, async_client)
    # Only shown, never sent: the clients are replaced below, before any call.
    built = GatewayProvider(api_key=KEY_PLACEHOLDER, base_url=str(sync.base_url))
    for sub in (built._completions_provider, built._responses_provider):
        sub.client, sub.async_client = sync, async_
    built.client = sync
    return built


def register(client: OpenAI, async_client: AsyncOpenAI | None = None, *, scope: str = "openai/") -> OpenAIProvider:
    """Route the model ids under `scope` (all `openai/...` by default) to the gateway; returns the provider."""
    from mirascope import llm

    return llm.register_provider(provider(client, async_client), scope=scope)
