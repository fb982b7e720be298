"""Which endpoint a chat call goes to, and which provider a model goes to.

OmniGate's OpenAI-compatible `/v1/chat/completions` silently drops `fallback_models` and `cache`;
only the native `/v1/chat` honours them. So a call that asks for either (per call in `extra_body`,
or through `client.with_routing(...)`) is rewritten to the native request before it is built, and
every other chat call keeps the compat route, checked as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from .._sdk import FinalRequestOptions
from ._native import Routing, native_chat_body
from ._pricing import Provider, provider_for_model
from ._requests import checked_chat_body, gateway_model_name
from ._wire import CHAT_COMPLETIONS_PATH, NATIVE_CHAT_PATH, USER_ID_HEADER

__all__ = ["ROUTING_FIELDS", "ModelRoute", "Routing", "chat_request", "model_route", "requested_routing"]

ROUTING_FIELDS = ("fallback_models", "cache")
"""The `extra_body` keys that choose the native route."""


def requested_routing(defaults: Routing, extra: Mapping[str, Any]) -> Routing:
    """The call's routing: its own `fallback_models` / `cache` over the client's `with_routing(...)`."""
    fallbacks = extra.get("fallback_models", defaults.fallbacks)
    return Routing(fallbacks=fallbacks or (), cache=extra.get("cache", defaults.cache))


def chat_request(
    options: FinalRequestOptions, *, routing: Routing, allow_ignored_fields: bool, user_id: str | None
) -> FinalRequestOptions:
    """Check a chat call and choose its endpoint; requests other than chat pass unchanged.

    Routed calls go to `/v1/chat` with the caller's `extra_body` folded into the native body (the
    SDK would otherwise merge it in unchecked); other calls keep `/v1/chat/completions`.
    """
    if options.url != CHAT_COMPLETIONS_PATH or not isinstance(options.json_data, Mapping):
        return options
    extra = dict(options.extra_json) if isinstance(options.extra_json, Mapping) else {}
    wanted = requested_routing(routing, extra)
    for field in ROUTING_FIELDS:
        extra.pop(field, None)
    if wanted:
        merged = {**options.json_data, **extra}
        body = native_chat_body(merged, wanted, allow_ignored_fields=allow_ignored_fields)
        user = merged.get("user")
        options.url, options.json_data, options.extra_json = NATIVE_CHAT_PATH, body, None
    else:
        body = checked_chat_body(options.json_data, extra, allow_ignored_fields=allow_ignored_fields)
        user = body.get("user")
        options.json_data, options.extra_json = body, extra or None
    if isinstance(user, str) and user_id is None and not _names_header(options, USER_ID_HEADER):
        # OmniGate ignores the body's `user`; the header is what its metrics attribute calls by.
        options.headers = {**(options.headers or {}), USER_ID_HEADER: user}
    return options


def _names_header(options: FinalRequestOptions, name: str) -> bool:
    headers = options.headers if isinstance(options.headers, Mapping) else {}
    return any(key.lower() == name for key in headers)


@dataclasses.dataclass(frozen=True)
class ModelRoute:
    """Where the gateway sends a model, and whether it can: `client.gateway.route(model)`."""

    model: str
    """The name as given (`anthropic/claude-3-5-haiku-latest`)."""
    gateway_model: str
    """The name the gateway is sent (`claude-3-5-haiku-latest`)."""
    provider: Provider | None
    """`openai`, `anthropic`, `gemini` or `azure`; None when the gateway cannot route the name (a 400)."""
    key_configured: bool
    """Whether this project has stored a key for that provider (`POST /v1/keys`); without one, a 400."""

    @property
    def ready(self) -> bool:
        """True when a call to this model can reach its provider."""
        return self.provider is not None and self.key_configured

    @property
    def problem(self) -> str | None:
        """Why a call would fail before reaching the provider, in the gateway's words; None if `ready`."""
        if self.provider is None:
            return f"No provider registered for model '{self.gateway_model}'"
        if not self.key_configured:
            return f"No {self.provider} key configured for this project. Add one via POST /v1/keys."
        return None


def model_route(model: str, configured_providers: Iterable[str]) -> ModelRoute:
    """The route of `model` by OmniGate's prefix rule, given the project's configured providers."""
    bare = gateway_model_name(model)
    provider = provider_for_model(bare)
    return ModelRoute(model, bare, provider, provider is not None and provider in set(configured_providers))
