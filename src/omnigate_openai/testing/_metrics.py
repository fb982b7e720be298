"""`/v1/metrics` arithmetic over usage rows: the window rules, totals, breakdown and sparse timeseries.

Kept free of HTTP so the numbers can be checked directly: averages and percentiles leave error rows
out, percentiles interpolate like Postgres' `percentile_cont`, and the window is half-open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Literal

from omnigate_openai.testing._state import UsageRecord

Granularity = Literal["minute", "hour", "day"]
GroupBy = Literal["provider", "model", "user", "status"]

RANGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
_GROUPS: tuple[GroupBy, ...] = ("provider", "model", "user", "status")
_GRANULARITIES: tuple[Granularity, ...] = ("minute", "hour", "day")
_ERROR_STATUSES = frozenset({"error", "rate_limited", "budget_exceeded"})
_BREAKDOWN_ROWS = 100


class MetricsQueryError(ValueError):
    """A query the server answers with 422 and this message as `detail`."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    group_by: GroupBy | None
    granularity: Granularity


def parse_window(params: Mapping[str, str], now: datetime) -> Window:
    """`range` or `from`/`to` (never both), `group_by`, `granularity`; defaults as the server's."""
    group_by = params.get("group_by")
    if group_by is not None and group_by not in _GROUPS:
        raise MetricsQueryError("invalid group_by; expected one of provider, model, user, status")
    granularity = params.get("granularity")
    if granularity is not None and granularity not in _GRANULARITIES:
        raise MetricsQueryError("invalid granularity; expected one of minute, hour, day")
    range_, start_text, end_text = params.get("range"), params.get("from"), params.get("to")
    if range_ is not None and (start_text is not None or end_text is not None):
        raise MetricsQueryError("'range' is mutually exclusive with 'from'/'to'")
    if end_text is not None and start_text is None:
        raise MetricsQueryError("'from' is required when 'to' is supplied")
    if start_text is not None:
        start = _aware(start_text, "from")
        end = _aware(end_text, "to") if end_text is not None else now
        if end <= start:
            raise MetricsQueryError("'to' must be after 'from'")
    else:
        span = RANGES.get(range_ or "24h")
        if span is None:
            raise MetricsQueryError(f"invalid range '{range_}'; expected one of 1h, 24h, 7d, 30d")
        start, end = now - span, now
    return Window(start, end, group_by, granularity or _default_granularity(end - start))


def _aware(text: str, name: str) -> datetime:
    try:
        # Python 3.10's fromisoformat does not read a `Z` offset; the server's (3.11+) does.
        value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError as exc:
        raise MetricsQueryError(str(exc)) from None
    if value.tzinfo is None:
        raise MetricsQueryError(f"'{name}' must be timezone-aware")
    return value


def _default_granularity(span: timedelta) -> Granularity:
    if span <= timedelta(hours=1):
        return "minute"
    return "hour" if span <= timedelta(hours=24) else "day"


def metrics_body(
    scope: Literal["project", "org"], scope_id: str, window: Window, rows: Iterable[UsageRecord]
) -> dict[str, Any]:
    """The `MetricsResponse` body for the rows inside `[start, end)`."""
    inside = [r for r in rows if window.start <= r.created_at < window.end]
    served = sorted(r.latency_ms for r in inside if r.status not in _ERROR_STATUSES)
    totals = {
        "requests": len(inside),
        "prompt_tokens": sum(r.prompt_tokens for r in inside),
        "completion_tokens": sum(r.completion_tokens for r in inside),
        "total_tokens": sum(r.total_tokens for r in inside),
        "cost_usd": _cost(inside),
        "error_rate": _rate(inside, lambda r: r.status in _ERROR_STATUSES),
        "cache_hit_rate": _rate(inside, lambda r: r.status == "cache_hit"),
        "avg_latency_ms": _mean(served),
        "p50_latency_ms": percentile(served, 0.50),
        "p95_latency_ms": percentile(served, 0.95),
        "p99_latency_ms": percentile(served, 0.99),
    }
    return {
        "scope": scope,
        "scope_id": scope_id,
        "range_from": iso(window.start),
        "range_to": iso(window.end),
        "group_by": window.group_by,
        "granularity": window.granularity,
        "totals": totals,
        "breakdown": _breakdown(inside, window.group_by) if window.group_by else [],
        "timeseries": _timeseries(inside, window.granularity),
    }


def _breakdown(rows: Sequence[UsageRecord], group_by: GroupBy) -> list[dict[str, Any]]:
    groups: dict[str, list[UsageRecord]] = {}
    for row in rows:
        groups.setdefault(_group_key(row, group_by), []).append(row)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: ties keep first-seen order
    return [
        {
            "key": key,
            "requests": len(members),
            "total_tokens": sum(r.total_tokens for r in members),
            "cost_usd": _cost(members),
            "avg_latency_ms": _mean([r.latency_ms for r in members if r.status not in _ERROR_STATUSES]),
            "error_rate": _rate(members, lambda r: r.status in _ERROR_STATUSES),
        }
        for key, members in ordered[:_BREAKDOWN_ROWS]
    ]


def _group_key(row: UsageRecord, group_by: GroupBy) -> str:
    if group_by == "user":
        return row.user_id or "unknown"
    return {"provider": row.provider, "model": row.model, "status": row.status}[group_by]


def _timeseries(rows: Sequence[UsageRecord], granularity: Granularity) -> list[dict[str, Any]]:
    buckets: dict[datetime, list[UsageRecord]] = {}
    for row in rows:
        buckets.setdefault(truncate(row.created_at, granularity), []).append(row)
    return [
        {
            "bucket": iso(bucket),
            "requests": len(members),
            "total_tokens": sum(r.total_tokens for r in members),
            "cost_usd": _cost(members),
            "error_rate": _rate(members, lambda r: r.status in _ERROR_STATUSES),
        }
        for bucket, members in sorted(buckets.items())
    ]


def truncate(moment: datetime, granularity: Granularity) -> datetime:
    """`date_trunc(granularity, created_at, 'UTC')`."""
    utc = moment.astimezone(timezone.utc).replace(second=0, microsecond=0)
    if granularity == "minute":
        return utc
    utc = utc.replace(minute=0)
    return utc if granularity == "hour" else utc.replace(hour=0)


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """Postgres' `percentile_cont`: linear interpolation between the closest ranks."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return float(sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower))


def iso(moment: datetime) -> str:
    """pydantic's rendering: ISO-8601, microseconds only when non-zero, UTC as `Z`."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _cost(rows: Iterable[UsageRecord]) -> float:
    return float(sum((r.cost for r in rows), Decimal(0)))


def _mean(values: Sequence[float]) -> float:
    return float(sum(values)) / len(values) if values else 0.0


def _rate(rows: Sequence[UsageRecord], predicate: Callable[[UsageRecord], bool]) -> float:
    return sum(1 for r in rows if predicate(r)) / len(rows) if rows else 0.0


__all__ = [
    "RANGES",
    "Granularity",
    "GroupBy",
    "MetricsQueryError",
    "Window",
    "iso",
    "metrics_body",
    "parse_window",
    "percentile",
    "truncate",
]
