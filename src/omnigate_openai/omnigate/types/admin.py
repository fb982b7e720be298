"""Organisations and projects, as an operator sees them (`/v1/admin/*`, `x-admin-key`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from ._base import GatewayModel

__all__ = ["CreatedProject", "Org", "Project"]


class Org(GatewayModel):
    """An organisation: the unit that owns projects and an overall budget."""

    id: str
    name: str
    daily_budget: Decimal
    """USD per UTC day across the org's projects; 0 means unlimited."""

    monthly_budget: Decimal
    """USD per UTC month; 0 means unlimited."""

    created_at: datetime


class Project(GatewayModel):
    """A project: the unit that owns gateway keys, provider keys, a rate limit and budgets."""

    id: str
    org_id: str
    name: str
    key_prefix: str
    daily_budget: Decimal
    monthly_budget: Decimal
    rate_limit_per_min: int
    created_at: datetime


class CreatedProject(Project):
    """A project just created. `api_key` is its gateway key, shown this once and masked in `repr()`."""

    _secret_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    api_key: str
