"""The calling project (`/v1/me`) and self-service sign-up (`/v1/signup`)."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from pydantic import Field

from ._base import GatewayModel

__all__ = ["Me", "Signup"]


class Me(GatewayModel):
    """The project a gateway key belongs to, with its limits and configured providers."""

    project_id: str
    org_id: str
    project_name: str
    key_prefix: str
    """The prefix of the project's original key, not necessarily of the key that made the call."""

    rate_limit_per_min: int
    daily_budget: Decimal
    """USD per UTC day; 0 means unlimited."""

    monthly_budget: Decimal
    """USD per UTC month; 0 means unlimited."""

    configured_providers: list[str] = Field(default_factory=list)
    """Providers that have a provider key (BYOK) stored for this project."""


class Signup(GatewayModel):
    """A new organisation and project. `api_key` is shown this once and masked in `repr()`."""

    _secret_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    org_id: str
    project_id: str
    email: str
    api_key: str
    """The project's gateway key (`llmg_…`); it cannot be listed or revoked through `api_keys`."""

    message: str = ""
