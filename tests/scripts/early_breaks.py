"""Open `count` streams and leave each after its first chunk, without `with` or `close()`.

Run as a child process by `tests/test_abandoned_streams.py`, so that a deadlock fails that test by
its timeout instead of hanging the suite. Prints its progress every 500 streams (`sync 500`, ...),
so a timeout tells a hang from a slow machine.
"""

from __future__ import annotations

import asyncio
import sys

import omnigate_openai as og

MESSAGES = [{"role": "user", "content": "hi"}]


def sync_breaks(base_url: str, api_key: str, count: int) -> int:
    client = og.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    left = 0
    for _ in range(count):
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        for _chunk in stream:
            break
        left += 1
        if left % 500 == 0:
            print("sync", left, flush=True)
    return left


async def async_breaks(base_url: str, api_key: str, count: int) -> int:
    client = og.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0)
    left = 0
    for _ in range(count):
        stream = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        async for _chunk in stream:
            break
        left += 1
        if left % 500 == 0:
            print("async", left, flush=True)
    return left


if __name__ == "__main__":
    url, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sync_breaks(url, key, n)
    asyncio.run(async_breaks(url, key, n))
