"""`/v1/metrics` arithmetic, checked against numbers the real server returned."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from omnigate_openai.testing._metrics import MetricsQueryError, metrics_body, parse_window, percentile
from omnigate_openai.testing._state import UsageRecord, UsageStatus

NOW = datetime(2026, 11, 23, 7, 16, 26, 500000, tzinfo=timezone.utc)


def row(
    status: UsageStatus,
    latency: int,
    *,
    model: str = "gpt-4o-mini-2024-07-18",
    cost: str = "0",
    user: str | None = None,
) -> UsageRecord:
    tokens = (0, 0) if status == "error" else (9, 8)
    return UsageRecord(
        "rid",
        uuid.uuid4(),
        uuid.uuid4(),
        user,
        "openai",
        model,
        *tokens,
        Decimal(cost),
        latency,
        status,
        NOW - timedelta(seconds=5),
    )


def test_totals_match_the_recorded_metrics_from_to() -> None:
    rows = [
        row("ok", 6, cost="0.000006", user="alice"),
        row("ok", 7, model="claude-3-5-haiku-20241022", user="bob"),
        row("ok", 6, cost="0.000006"),
        row("cache_hit", 0),
        row("error", 0, model="gpt-4o-mini"),
    ]
    window = parse_window({"from": "2026-11-23T05:16:26Z", "to": "2026-11-23T07:21:26Z"}, NOW)
    body = metrics_body("project", "p", window, rows)
    assert body["range_from"] == "2026-11-23T05:16:26Z"
    assert body["granularity"] == "hour"
    assert body["totals"] == {
        "requests": 5,
        "prompt_tokens": 36,
        "completion_tokens": 32,
        "total_tokens": 68,
        "cost_usd": 1.2e-05,
        "error_rate": 0.2,
        "cache_hit_rate": 0.2,
        "avg_latency_ms": 4.75,
        "p50_latency_ms": 6.0,
        "p95_latency_ms": 6.85,
        "p99_latency_ms": 6.97,
    }
    assert body["timeseries"] == [
        {"bucket": "2026-11-23T07:00:00Z", "requests": 5, "total_tokens": 68, "cost_usd": 1.2e-05, "error_rate": 0.2}
    ]


def test_an_empty_window() -> None:
    body = metrics_body("project", "p", parse_window({"range": "1h"}, NOW), [])
    assert body["range_from"] == "2026-11-23T06:16:26.500000Z"
    assert (body["granularity"], body["timeseries"], body["breakdown"]) == ("minute", [], [])
    assert body["totals"]["avg_latency_ms"] == 0.0
    assert body["totals"]["p50_latency_ms"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"range": "1h", "from": "2026-01-01T00:00:00Z"}, "'range' is mutually exclusive with 'from'/'to'"),
        ({"to": "2026-01-01T00:00:00Z"}, "'from' is required when 'to' is supplied"),
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "'to' must be after 'from'"),
        ({"range": "2d"}, "invalid range '2d'; expected one of 1h, 24h, 7d, 30d"),
        ({"group_by": "day"}, "invalid group_by; expected one of provider, model, user, status"),
        ({"granularity": "week"}, "invalid granularity; expected one of minute, hour, day"),
        ({"from": "2026-01-01 00:00:00 00:00"}, "Invalid isoformat string: '2026-01-01 00:00:00 00:00'"),
    ],
)
def test_refused_queries(query: dict[str, str], message: str) -> None:
    with pytest.raises(MetricsQueryError) as caught:
        parse_window(query, NOW)
    assert str(caught.value) == message


def test_percentile_interpolates_like_percentile_cont() -> None:
    assert percentile([], 0.5) is None
    assert percentile([0, 6, 6, 6], 0.5) == 6.0
    assert percentile([0, 5, 6, 6], 0.5) == 5.5
    assert percentile([0, 6, 7, 8], 0.95) == pytest.approx(7.85)
