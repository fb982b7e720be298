"""The Flow / Manifest platform AI gateway's wire facts: variables, paths, headers. Nothing else knows them."""

from __future__ import annotations

ENV_BASE_URL = "PLATFORM_API_URL"
"""The platform's root URL, as the Flow SDK reads it."""
ENV_AUTH_TOKEN = "AUTH_TOKEN"
"""The platform JWT, as the Flow SDK reads it."""

GATEWAY_PATH = "/api/v1/gateway"
"""Where the platform mounts its AI gateway; a `base_url` ending in it is read as the platform root."""
API_PATH = GATEWAY_PATH + "/v1"
"""The OpenAI-compatible API (chat completions, embeddings, models) under the platform root."""
DISCOVERY_PATH = GATEWAY_PATH + "/models"
"""The platform's own discovery routes, beside the OpenAI-compatible API."""
PROVIDERS_PATH = DISCOVERY_PATH + "/providers/list"
"""`GET` -> `{"providers": [...]}`: every provider the gateway knows."""

API_KEY_HEADER = "X-API-Key"
"""An `fl_` API key; when a call carries one, the platform authenticates by it and ignores the bearer."""
WORKSPACE_HEADER = "X-Workspace-ID"
REQUEST_ID_HEADER = "X-Request-ID"

DEFAULT_SCOPE = "organization"
"""The scope `provider_models()` lists models in unless told otherwise (the Flow SDK's default)."""

__all__ = [
    "API_KEY_HEADER",
    "API_PATH",
    "DEFAULT_SCOPE",
    "DISCOVERY_PATH",
    "ENV_AUTH_TOKEN",
    "ENV_BASE_URL",
    "GATEWAY_PATH",
    "PROVIDERS_PATH",
    "REQUEST_ID_HEADER",
    "WORKSPACE_HEADER",
]
