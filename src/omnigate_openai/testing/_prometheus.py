"""The unauthenticated `GET /metrics` exposition: counters and a latency histogram over usage rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from omnigate_openai.testing._state import UsageRecord

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_BUCKETS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)


def exposition(rows: Iterable[UsageRecord]) -> str:
    """Prometheus text format 0.0.4, series sorted by their labels."""
    requests: Counter[tuple[str, str, str]] = Counter()
    tokens: Counter[tuple[str, str, str]] = Counter()
    cost: dict[tuple[str, str], Decimal] = {}
    latencies: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        series = (row.provider, row.model)
        requests[row.provider, row.model, row.status] += 1
        if row.completion_tokens:
            tokens[row.provider, row.model, "completion"] += row.completion_tokens
        if row.prompt_tokens:
            tokens[row.provider, row.model, "prompt"] += row.prompt_tokens
        if row.cost > 0:
            cost[series] = cost.get(series, Decimal(0)) + row.cost
        if row.status == "ok":
            latencies.setdefault(series, []).append(row.latency_ms)
    lines = [
        "# HELP llmgw_requests_total Total chat requests routed through the gateway.",
        "# TYPE llmgw_requests_total counter",
        *(
            f'llmgw_requests_total{{provider="{p}",model="{m}",status="{s}"}} {n}'
            for (p, m, s), n in sorted(requests.items())
        ),
        "# HELP llmgw_tokens_total Total tokens processed.",
        "# TYPE llmgw_tokens_total counter",
        *(
            f'llmgw_tokens_total{{provider="{p}",model="{m}",kind="{k}"}} {n}'
            for (p, m, k), n in sorted(tokens.items())
        ),
        "# HELP llmgw_cost_usd_total Total computed cost in USD.",
        "# TYPE llmgw_cost_usd_total counter",
        *(f'llmgw_cost_usd_total{{provider="{p}",model="{m}"}} {float(v)!r}' for (p, m), v in sorted(cost.items())),
        "# HELP llmgw_request_latency_ms Provider request latency in milliseconds.",
        "# TYPE llmgw_request_latency_ms histogram",
    ]
    for (provider, model), values in sorted(latencies.items()):
        labels = f'provider="{provider}",model="{model}"'
        for bound in _BUCKETS:
            lines.append(
                f'llmgw_request_latency_ms_bucket{{{labels},le="{bound}"}} {sum(1 for v in values if v <= bound)}'
            )
        lines.append(f'llmgw_request_latency_ms_bucket{{{labels},le="+Inf"}} {len(values)}')
        lines.append(f"llmgw_request_latency_ms_sum{{{labels}}} {sum(values)}")
        lines.append(f"llmgw_request_latency_ms_count{{{labels}}} {len(values)}")
    return "\n".join(lines) + "\n"


__all__ = ["CONTENT_TYPE", "exposition"]
