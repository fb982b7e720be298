"""What did my project spend, on which models, and how fast were the answers?

    python examples/metrics.py

Reads OMNIGATE_BASE_URL and OMNIGATE_API_KEY. Without OMNIGATE_BASE_URL it starts the local
gateway (a test double with an offline provider, from the `testing` extra) and sends a few
requests first, so there is something to show.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from omnigate_openai import OpenAI


@contextmanager
def gateway_client() -> Iterator[OpenAI]:
    if os.environ.get("OMNIGATE_BASE_URL"):
        with OpenAI() as client:
            yield client
        return
    from omnigate_openai.testing import LocalGateway

    with LocalGateway() as gateway, OpenAI(base_url=gateway.base_url, api_key=gateway.api_key) as client:
        for model, user in [("gpt-4o-mini", "alice"), ("gpt-4o-mini", "bob"), ("claude-3-5-haiku-latest", "alice")]:
            client.with_user(user).chat.completions.create(
                model=model, messages=[{"role": "user", "content": "Say hello."}]
            )
        yield client


def main() -> None:
    with gateway_client() as client:
        metrics = client.gateway.metrics(range="24h", group_by="model")
        totals = metrics.totals
        print(f"Last 24 h of project {metrics.scope_id}:")
        print(f"  {totals.requests} requests, {totals.total_tokens} tokens, ${totals.cost_usd:.6f}")
        print(
            f"  errors {totals.error_rate:.0%}, cache hits {totals.cache_hit_rate:.0%}, p95 {totals.p95_latency_ms} ms"
        )
        print("By model:")
        for row in metrics.breakdown:
            print(f"  {row.key:<32} {row.requests:>5} requests  ${row.cost_usd:.6f}")
        print(f"Requests per {metrics.granularity}:")
        peak = max((point.requests for point in metrics.timeseries), default=1)
        for point in metrics.timeseries:
            print(
                f"  {point.bucket:%Y-%m-%d %H:%M}  {'#' * max(1, round(point.requests / peak * 30))} {point.requests}"
            )
        # What one more call like the busiest would cost, priced exactly as the gateway bills it.
        if metrics.breakdown:
            busiest = metrics.breakdown[0].key
            cost = client.gateway.price(busiest, {"prompt_tokens": 1000, "completion_tokens": 500})
            print(f"1,000 prompt + 500 completion tokens on {busiest} cost ${cost}")


if __name__ == "__main__":
    main()
