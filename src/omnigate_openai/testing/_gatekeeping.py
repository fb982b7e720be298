"""The chain in front of the chat handlers: auth, then the rate limit, then the four budgets.

Every other authenticated route runs auth only. Each step either refuses with its exact answer or
returns the headers a passing chat answer carries (`x-ratelimit-*`, `x-budget-*`).
"""

from __future__ import annotations

import hmac
from datetime import datetime
from decimal import Decimal

from starlette.requests import Request

from omnigate_openai.testing._faults import BudgetPeriod, BudgetScope
from omnigate_openai.testing._interrupts import Refusal
from omnigate_openai.testing._responses import DetailResponse
from omnigate_openai.testing._state import AuthContext, GatewayState

MISSING_KEY = "Missing x-api-key header (or Authorization: Bearer token)"
INVALID_KEY = "Invalid API key"
INVALID_ADMIN_KEY = "Invalid or missing x-admin-key"

_BUDGET_MESSAGES: dict[tuple[BudgetScope, BudgetPeriod], str] = {
    ("project", "daily"): "Project daily budget exceeded",
    ("org", "daily"): "Organisation daily budget exceeded",
    ("project", "monthly"): "Project monthly budget exceeded",
    ("org", "monthly"): "Organisation monthly budget exceeded",
}


def presented_key(request: Request) -> str | None:
    """`x-api-key` wins over `Authorization: Bearer`; any other scheme counts as no key."""
    key = request.headers.get("x-api-key")
    if key:
        return key
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def authenticate(state: GatewayState, request: Request) -> AuthContext:
    key = presented_key(request)
    if key is None:
        raise Refusal(DetailResponse(MISSING_KEY, status_code=401))
    context = state.authenticate(key)
    if context is None:
        raise Refusal(DetailResponse(INVALID_KEY, status_code=401))
    return context


def require_admin(state: GatewayState, request: Request) -> None:
    """Admin routes take only `x-admin-key`, compared in constant time; gateway keys do not count."""
    given = request.headers.get("x-admin-key", "")
    if not given or not hmac.compare_digest(given.encode(), state.settings.admin_key.encode()):
        raise Refusal(DetailResponse(INVALID_ADMIN_KEY, status_code=401))


def admit_chat(state: GatewayState, context: AuthContext) -> dict[str, str]:
    """Count the request against the minute, then check the budgets: the headers a passing call carries."""
    now = state.now()
    return {**_rate_limit(state, context, now), **_budgets(state, context, now)}


def _rate_limit(state: GatewayState, context: AuthContext, now: datetime) -> dict[str, str]:
    project = context.project
    count = state.count_request(project.id, now)
    forced = state.faults.take_rate_limit(project.id)
    reset = str(60 - now.second)
    limit = project.rate_limit_per_min
    if forced or count > limit:
        headers = {
            "Retry-After": reset,
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": reset,
        }
        raise Refusal(DetailResponse("Rate limit exceeded", status_code=429, headers=headers))
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(max(0, limit - count)),
        "x-ratelimit-reset": reset,
    }


def _budgets(state: GatewayState, context: AuthContext, now: datetime) -> dict[str, str]:
    """The four checks in the server's order; the headers show spend *before* this request."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    month = day.replace(day=1)
    project, org = context.project, context.org
    checks: list[tuple[BudgetScope, BudgetPeriod, Decimal, Decimal]] = [
        ("project", "daily", project.daily_budget, state.spend(since=day, project_id=project.id)),
        ("org", "daily", org.daily_budget, state.spend(since=day, org_id=org.id)),
        ("project", "monthly", project.monthly_budget, state.spend(since=month, project_id=project.id)),
        ("org", "monthly", org.monthly_budget, state.spend(since=month, org_id=org.id)),
    ]
    headers: dict[str, str] = {}
    for scope, period, budget, spent in checks:
        if state.faults.budget_exhausted(scope, period, project.id) or (budget > 0 and spent >= budget):
            raise Refusal(DetailResponse(_BUDGET_MESSAGES[scope, period], status_code=402))
        if period == "monthly" and budget <= 0:
            continue  # monthly headers only where a monthly budget is configured
        headers[f"x-budget-{scope}-{period}-spend"] = f"{spent:.6f}"
        headers[f"x-budget-{scope}-{period}-limit"] = f"{budget:.4f}"
    return headers


__all__ = [
    "INVALID_ADMIN_KEY",
    "INVALID_KEY",
    "MISSING_KEY",
    "admit_chat",
    "authenticate",
    "presented_key",
    "require_admin",
]
