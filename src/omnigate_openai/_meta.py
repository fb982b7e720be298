"""GatewayMeta: what the gateway said about a call, reachable from the result without `with_raw_response`.

The metadata rides on the result object itself (in pydantic's private slot, which `model_dump()`,
`to_json()` and the repr never show), so it lives exactly as long as the result does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

from ._sdk import httpx

__all__ = ["BudgetStatus", "GatewayMeta", "RateLimitStatus", "attach_meta", "meta", "meta_from_headers", "with_meta"]

_SLOT = "_omnigate_meta"
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class RateLimitStatus:
    """The project's per-minute request limit, from the `x-ratelimit-*` headers."""

    limit: int
    remaining: int
    reset: int
    """Seconds until the current minute's window ends."""


@dataclasses.dataclass(frozen=True)
class BudgetStatus:
    """One budget and what had been spent of it *before* this call (`x-budget-*` headers)."""

    scope: Literal["project", "org"]
    period: Literal["daily", "monthly"]
    spend: Decimal
    limit: Decimal
    """`0` means unlimited."""


@dataclasses.dataclass(frozen=True)
class GatewayMeta:
    """What OmniGate reported about one call. Fields the gateway did not send are None."""

    request_id: str | None = None
    provider: str | None = None
    """The provider that answered: `openai`, `anthropic`, `gemini` or `azure`."""
    model: str | None = None
    """The model that answered, as the provider reported it."""
    cost_usd: float | None = None
    cached: bool | None = None
    fallback_used: bool | None = None
    latency_ms: int | None = None
    raw_finish_reason: str | None = None
    """The provider's own finish reason (`end_turn`, `STOP`, ...) before normalisation."""
    rate_limit: RateLimitStatus | None = None
    budgets: tuple[BudgetStatus, ...] = ()
    end_confirmed: bool | None = None
    """A native stream's end: True when the body ended with its HTTP framing complete, False when it was
    delimited only by the connection closing (nothing confirms it was the end); None for other results."""

    def replace(self, **changes: Any) -> GatewayMeta:
        return dataclasses.replace(self, **changes)


def meta(obj: object) -> GatewayMeta:
    """The gateway metadata of a completion, stream, gateway error or raw response.

    A raw response (`with_raw_response`) shows what its headers say; its `.parse()` result adds
    what the body says (the cost, the served model). A stream's metadata is complete once it is
    read to the end. Chunks carry metadata only where they say something of their own (a rewritten
    `finish_reason`), so that streaming stays cheap: ask the stream for the rest.
    Raises `TypeError` for an object that carries none.
    """
    found = _read(obj)
    if found is None:
        hint = " (ask the stream it came from: meta(stream))" if type(obj).__name__ == "ChatCompletionChunk" else ""
        raise TypeError(f"{type(obj).__name__} carries no gateway metadata{hint}")
    return found


def with_meta(obj: _T, value: GatewayMeta | None) -> _T:
    """`obj`, carrying `value` (if any): for hooks that hand the object on."""
    if value is not None:
        attach_meta(obj, value)
    return obj


def attach_meta(obj: object, value: GatewayMeta) -> None:
    """Store `value` on a pydantic result (private slot) or any object with a `__dict__`."""
    private = getattr(obj, "__pydantic_private__", _MISSING)
    if private is not _MISSING:
        slots = dict(private) if isinstance(private, dict) else {}
        object.__setattr__(obj, "__pydantic_private__", {**slots, _SLOT: value})
    else:
        object.__setattr__(obj, _SLOT, value)


def _read(obj: object) -> GatewayMeta | None:
    private = getattr(obj, "__pydantic_private__", None)
    found = private.get(_SLOT) if isinstance(private, dict) else None
    if isinstance(found, GatewayMeta):
        return found
    value = getattr(obj, _SLOT, None)
    if isinstance(value, GatewayMeta):
        return value
    raw = getattr(obj, "http_response", obj)  # the SDK's raw and streamed response wrappers
    if isinstance(raw, httpx.Response):
        return meta_from_headers(raw.headers)
    return None


_MISSING = object()


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
