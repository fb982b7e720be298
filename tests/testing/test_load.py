"""A bounded load test: 200 concurrent streams from threads and 200 from tasks, all answered, all counted."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from ._clients import async_sdk_client, http_client, sdk_client

STREAMS = 200
MESSAGES = [{"role": "user", "content": "Say hello."}]


def _requests_counted(gateway: LocalGateway) -> dict[str, int]:
    with http_client(base_url=gateway.root_url, headers={"x-api-key": gateway.api_key}, timeout=30) as http:
        body = http.get("/v1/metrics", params={"range": "1h", "group_by": "status"}).json()
    return {row["key"]: row["requests"] for row in body["breakdown"]}


@pytest.mark.local_gateway(rate_limit_per_min=10_000)
def test_concurrent_sync_streams(local_gateway: LocalGateway) -> None:
    start = threading.Barrier(STREAMS, timeout=30)

    def one_stream(client: openai.OpenAI) -> str:
        start.wait()
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        return "".join(chunk.choices[0].delta.content or "" for chunk in stream)

    with (
        sdk_client(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0, timeout=30) as client,
        ThreadPoolExecutor(max_workers=STREAMS) as pool,
    ):
        replies = list(pool.map(lambda _: one_stream(client), range(STREAMS)))
    assert replies == [DEFAULT_REPLY] * STREAMS
    assert _requests_counted(local_gateway) == {"ok": STREAMS}


@pytest.mark.local_gateway(rate_limit_per_min=10_000)
async def test_concurrent_async_streams(local_gateway: LocalGateway) -> None:
    async with async_sdk_client(
        base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0, timeout=30
    ) as client:

        async def one_stream(index: int) -> str:
            model = ("gpt-4o-mini", "claude-3-5-haiku-latest", "gemini-1.5-flash")[index % 3]
            stream = await client.chat.completions.create(model=model, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
            return "".join([chunk.choices[0].delta.content or "" async for chunk in stream])

        replies = await asyncio.wait_for(asyncio.gather(*(one_stream(i) for i in range(STREAMS))), timeout=45)
    assert replies == [DEFAULT_REPLY] * STREAMS
    assert _requests_counted(local_gateway) == {"ok": STREAMS}
    assert len(local_gateway.calls.to("/v1/chat/completions")) == STREAMS
