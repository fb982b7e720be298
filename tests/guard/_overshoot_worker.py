"""One worker of the overshoot test: `concurrency` tasks calling through one Redis-backed guard.

    python _overshoot_worker.py BASE_URL API_KEY REDIS_URL BUDGET TTL MODEL CONCURRENCY SECONDS [PARTIES]

With PARTIES, the worker waits until that many workers are ready (a counter in the same Redis), so
they all compete for the budget: a worker whose interpreter started first can't spend it alone.
Each task calls until its time is up or the budget has refused it 20 times in a row, then the
worker prints what it saw as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import omnigate_openai as og

NO_LOOPS = og.LoopDetection(same_request=None, same_answer=None, same_tool_call=None, ping_pong=None)


async def start_together(redis_url: str, parties: int) -> None:
    import redis.asyncio

    async with redis.asyncio.Redis.from_url(redis_url) as connection:
        await connection.incr("overshoot-test:ready")
        deadline = time.monotonic() + 120
        while int(await connection.get("overshoot-test:ready") or 0) < parties:
            if time.monotonic() > deadline:
                raise SystemExit("the other workers never got ready")
            await asyncio.sleep(0.01)


async def main(
    base_url: str,
    api_key: str,
    redis_url: str,
    budget: float,
    ttl: float,
    model: str,
    concurrency: int,
    seconds: float,
    parties: int,
) -> None:
    guard = og.Guard(
        limits=og.Limits(max_usd=budget), name="overshoot", store=redis_url, loops=NO_LOOPS, reservation_ttl=ttl
    )
    if parties > 1:
        await start_together(redis_url, parties)
    deadline = time.monotonic() + seconds
    counts = {"answered": 0, "refused": 0}
    async with og.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=30.0) as client:
        agent = client.with_guard(guard)

        async def task(index: int) -> None:
            refused_in_a_row = 0
            while time.monotonic() < deadline and refused_in_a_row < 20:
                try:
                    await agent.chat.completions.create(
                        model=model, messages=[{"role": "user", "content": f"task {index}"}], max_tokens=20
                    )
                    counts["answered"] += 1
                    refused_in_a_row = 0
                except og.LimitExceededError:
                    counts["refused"] += 1
                    refused_in_a_row += 1
                    await asyncio.sleep(0.05)

        await asyncio.gather(*(task(index) for index in range(concurrency)))
    print(json.dumps(counts), flush=True)


if __name__ == "__main__":
    url, key, redis_url, budget, ttl, model, concurrency, seconds = sys.argv[1:9]
    parties = int(sys.argv[9]) if len(sys.argv) > 9 else 1
    asyncio.run(main(url, key, redis_url, float(budget), float(ttl), model, int(concurrency), float(seconds), parties))
