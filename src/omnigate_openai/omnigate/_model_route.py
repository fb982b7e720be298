"""ModelRoute: where the gateway sends a model, and whether it can (`client.gateway.route(model)`).

Apart from the chat routing (`_routing.py`), which every chat call runs: this dataclass (a millisecond to
define) loads with the first `route()`, or `omnigate_openai.ModelRoute`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ._pricing import Provider, provider_for_model
from ._requests import gateway_model_name

__all__ = ["ModelRoute", "model_route"]


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


ModelRoute.__module__ = "omnigate_openai"  # its public name (the package root loads it on first use)


def model_route(model: str, configured_providers: Iterable[str]) -> ModelRoute:
    """The route of `model` by OmniGate's prefix rule, given the project's configured providers."""
    bare = gateway_model_name(model)
    provider = provider_for_model(bare)
    return ModelRoute(model, bare, provider, provider is not None and provider in set(configured_providers))
