"""Load against the local gateway: does it slow down as its own usage history grows?

`python -m bench.gateway_load [--calls 10000] [--threads 200]` starts a `LocalGateway`, sends
`--calls` non-streamed chat calls from `--threads` threads through one `omnigate_openai.OpenAI`
client, and prints (and writes to `bench/gateway_load.json`) the call rate and the median latency
of the first and the last tenth of the calls. Flat medians mean the per-request work does not grow
with the stored history; before the running budget totals, the last tenth was about 8x slower.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

__all__ = ["main", "run"]

HELLO = [{"role": "user", "content": "Say hello."}]


def run(*, calls: int, threads: int) -> dict[str, float]:
    """The figures of one run: calls/s and the p50 latency (s) of the first and the last tenth."""
    latencies: list[tuple[float, float]] = []  # (start, seconds), in start order once sorted
    lock = threading.Lock()
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    with (
        LocalGateway(rate_limit_per_min=calls * 2) as gateway,
        og.OpenAI(
            base_url=gateway.base_url,
            api_key=gateway.api_key,
            max_retries=0,
            timeout=120,
            http_client=openai.DefaultHttpxClient(limits=limits),
        ) as client,
    ):

        def one(_: int) -> None:
            started = time.perf_counter()
            client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)  # type: ignore[arg-type]
            with lock:
                latencies.append((started, time.perf_counter() - started))

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(calls)))
        elapsed = time.perf_counter() - began
        stored = len(gateway.state.usage)
    ordered = [seconds for _, seconds in sorted(latencies)]
    tenth = max(1, calls // 10)
    return {
        "calls": calls,
        "threads": threads,
        "usage_rows_at_end": stored,
        "seconds": round(elapsed, 1),
        "calls_per_second": round(calls / elapsed, 1),
        "p50_first_tenth_s": round(statistics.median(ordered[:tenth]), 3),
        "p50_last_tenth_s": round(statistics.median(ordered[-tenth:]), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway_load", description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("gateway_load.json"))
    args = parser.parse_args(argv)
    figures = run(calls=args.calls, threads=args.threads)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
