"""Where a chat request goes: the translated request, prefix routing, the BYOK key, Azure's metadata."""

from __future__ import annotations

from dataclasses import dataclass

from omnigate_openai.omnigate._pricing import Provider, provider_for_model
from omnigate_openai.testing._fake_provider import ProviderError, UpstreamRequest
from omnigate_openai.testing._state import AuthContext, GatewayState


@dataclass(frozen=True)
class ChatInput:
    """A chat request after translation, the same for both routes."""

    messages: tuple[tuple[str, str], ...]
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class Route:
    """Where a model name goes: the provider, the upstream model and the BYOK key to use."""

    provider: Provider
    upstream_model: str
    api_key: str


def resolve_route(state: GatewayState, context: AuthContext, model: str) -> Route:
    """Prefix routing, then the project's BYOK key (and Azure's metadata): the 400s of protocol §0.8."""
    provider = provider_for_model(model)
    if provider is None:
        raise ProviderError(f"No provider registered for model '{model}'", 400)
    credential = state.provider_key(context.project.id, provider)
    if credential is None:
        raise ProviderError(f"No {provider} key configured for this project. Add one via POST /v1/keys.", 400)
    upstream = model
    if provider == "gemini":
        upstream = model.removeprefix("models/")
    elif provider == "azure":
        meta = dict(credential.meta or {})
        if not meta.get("endpoint"):
            raise ProviderError("Azure credential is missing 'endpoint' in its metadata.", 400)
        upstream = model[len("azure/") :] if model.lower().startswith("azure/") else ""
        upstream = upstream or str(meta.get("deployment") or "")
        if not upstream:
            raise ProviderError(
                "Azure deployment not specified. Use model 'azure/<deployment>' or set meta.deployment.", 400
            )
    return Route(provider, upstream, credential.api_key)


def upstream_request(route: Route, chat: ChatInput) -> UpstreamRequest:
    return UpstreamRequest(
        route.provider, route.upstream_model, chat.messages, route.api_key, chat.max_tokens, chat.stop
    )


__all__ = ["ChatInput", "Route", "resolve_route", "upstream_request"]
