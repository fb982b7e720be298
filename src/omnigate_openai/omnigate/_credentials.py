"""The headers OmniGate authenticates a call by: the project's `x-api-key`, the operator's `x-admin-key`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._exceptions import ConfigurationError
from ._wire import ADMIN_KEY_HEADER, API_KEY_HEADER, ENV_ADMIN_KEY

if TYPE_CHECKING:
    from .._config import Settings

__all__ = ["admin_headers", "auth_headers"]


def auth_headers(settings: Settings, *, bearer_auth: bool) -> dict[str, str]:
    """`x-api-key`, for calls that need a gateway key (signup, health and admin calls say they don't)."""
    key = settings.api_key
    return {} if key is None or not bearer_auth else {API_KEY_HEADER: key.reveal()}


def admin_headers(client: object) -> dict[str, str]:
    """The operator's `x-admin-key`, from `admin_key=` or `OMNIGATE_ADMIN_KEY`; refused early if absent."""
    secret = getattr(getattr(client, "settings", None), "admin_key", None)
    if secret is None:
        raise ConfigurationError(
            f"Missing admin key: admin calls need the gateway's `{ADMIN_KEY_HEADER}`; "
            f"pass `admin_key=` to the client or set `{ENV_ADMIN_KEY}`"
        )
    return {ADMIN_KEY_HEADER: str(secret.reveal())}
