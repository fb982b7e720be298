"""Usage metrics of `/v1/metrics` (a project) and `/v1/admin/orgs/{id}/metrics` (an organisation)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import GatewayModel

__all__ = [
    "Granularity",
    "GroupBy",
    "MetricsBreakdownRow",
    "MetricsRange",
    "MetricsResponse",
    "MetricsTimePoint",
    "MetricsTotals",
]

MetricsRange = Literal["1h", "24h", "7d", "30d"]
"""The windows the gateway accepts for `range=`."""

GroupBy = Literal["provider", "model", "user", "status"]
"""What a breakdown row is keyed by (OmniGate 0.2 refuses `day`, whatever its README says)."""

Granularity = Literal["minute", "hour", "day"]
"""The bucket size of the time series."""


class MetricsTotals(GatewayModel):
    """Everything in the window, summed. Latencies leave out failed requests."""

    requests: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float
    error_rate: float
    """Share of requests (0-1) that failed upstream."""

    cache_hit_rate: float
    """Share of requests (0-1) answered from the gateway's response cache."""

    avg_latency_ms: float
    p50_latency_ms: float | None = None
    """None when there are no successful requests in the window."""

    p95_latency_ms: float | None = None
    p99_latency_ms: float | None = None


class MetricsBreakdownRow(GatewayModel):
    """One group of a `group_by` breakdown; the busiest groups come first."""

    key: str
    """The provider, model, user (`unknown` when no `x-user-id` was sent) or status."""

    requests: int
    total_tokens: int
    cost_usd: float
    avg_latency_ms: float
    error_rate: float


class MetricsTimePoint(GatewayModel):
    """One bucket of the time series; empty buckets are left out."""

    bucket: datetime
    """The start of the bucket, in UTC."""

    requests: int
    total_tokens: int
    cost_usd: float
    error_rate: float


class MetricsResponse(GatewayModel):
    """Spend, tokens, errors and latency over a half-open window `[range_from, range_to)`."""

    scope: str
    """`project` or `org`."""

    scope_id: str
    range_from: datetime
    range_to: datetime
    group_by: str | None = None
    granularity: str
    totals: MetricsTotals
    breakdown: list[MetricsBreakdownRow] = Field(default_factory=list)
    """Empty unless `group_by` was given; at most 100 rows."""

    timeseries: list[MetricsTimePoint] = Field(default_factory=list)
    """Ascending and sparse."""
