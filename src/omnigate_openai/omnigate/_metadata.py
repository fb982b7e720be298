"""Which response headers say what about an OmniGate call: request id, provider, cache, rate limit, budgets."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from .._meta import BudgetStatus, GatewayMeta, RateLimitStatus

__all__ = ["meta_from_headers"]


def meta_from_headers(headers: Mapping[str, str], **facts: Any) -> GatewayMeta:
    """Everything the response headers say, with `facts` (what the body says) taking precedence."""
    # One copy into a dict: httpx's headers look each name up by scanning them all, and this reads 15.
    headers = dict(headers.items())
    said: dict[str, Any] = {
        "request_id": headers.get("x-request-id"),
        "provider": headers.get("x-llmgw-provider"),
        "model": headers.get("x-llmgw-model"),
        "cached": _flag(headers.get("x-llmgw-cached")),
        "fallback_used": _flag(headers.get("x-llmgw-fallback")),
        "rate_limit": _rate_limit(headers),
        "budgets": _budgets(headers),
    }
    return GatewayMeta(**{**said, **facts})


def _flag(value: str | None) -> bool | None:
    return None if value is None else value.lower() == "true"


def _rate_limit(headers: Mapping[str, str]) -> RateLimitStatus | None:
    try:
        return RateLimitStatus(
            limit=int(headers["x-ratelimit-limit"]),
            remaining=int(headers["x-ratelimit-remaining"]),
            reset=int(headers["x-ratelimit-reset"]),
        )
    except (KeyError, ValueError):
        return None


_BUDGET_HEADERS: tuple[tuple[Literal["project", "org"], Literal["daily", "monthly"], str, str], ...] = tuple(
    (scope, period, f"x-budget-{scope}-{period}-spend", f"x-budget-{scope}-{period}-limit")
    for scope in ("project", "org")
    for period in ("daily", "monthly")
)


def _budgets(headers: Mapping[str, str]) -> tuple[BudgetStatus, ...]:
    found = []
    for scope, period, spend_header, limit_header in _BUDGET_HEADERS:
        spend, limit = headers.get(spend_header), headers.get(limit_header)
        if spend is None or limit is None:
            continue
        try:
            found.append(BudgetStatus(scope, period, Decimal(spend), Decimal(limit)))
        except InvalidOperation:
            continue
    return tuple(found)
