"""The retry policy: the SDK's, minus what the gateway has already retried or retrying can't fix."""

from __future__ import annotations

import pytest

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai.omnigate._retries import vetoes_retry

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("status", "headers", "retried"),
    [
        (429, {**JSON, "retry-after": "12"}, True),  # the gateway's own per-minute limit
        (429, {**JSON, "retry-after-ms": "1200"}, True),  # a proxy's wait, which the SDK reads first
        (429, JSON, False),  # a provider's 429, already retried three times by the gateway
        (500, JSON, False),  # a provider's 500, already retried
        (502, JSON, False),
        (503, JSON, False),  # open circuit: the gateway refuses for 30 s
        (529, JSON, False),  # Anthropic overloaded
        (500, {"content-type": "text/plain; charset=utf-8"}, True),  # the gateway's own crash
        (502, {"content-type": "text/html"}, True),  # a proxy in front of the gateway
        (408, JSON, True),
        (400, JSON, False),
        (401, JSON, False),
        (402, JSON, False),
        (403, JSON, False),
        (404, JSON, False),
        (422, JSON, False),
        (500, {**JSON, "x-should-retry": "true"}, False),  # our veto comes first: the gateway retried
    ],
)
def test_retry_decision(status: int, headers: dict[str, str], retried: bool) -> None:
    client = og.OpenAI(api_key="llmg_test", base_url="http://gw.test")
    request = httpx.Request("POST", "http://gw.test/v1/chat/completions")
    response = httpx.Response(status, headers=headers, request=request)
    assert client._should_retry(response) is retried


def test_the_veto_reads_headers_only() -> None:
    assert vetoes_retry(429, {}) is True
    assert vetoes_retry(429, {"retry-after": "1"}) is False
    assert vetoes_retry(200, {}) is False
