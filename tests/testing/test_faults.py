"""Faults on demand: each `gw.faults` method makes the gateway fail exactly as the real one would."""

from __future__ import annotations

import time
from collections.abc import Iterator

import openai
import pytest

from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

from ._clients import async_sdk_client, http_client, sdk_client

HELLO = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


@pytest.fixture
def http(local_gateway: LocalGateway) -> Iterator[httpx.Client]:
    with http_client(
        base_url=local_gateway.root_url, headers={"x-api-key": local_gateway.api_key}, timeout=10
    ) as client:
        yield client


@pytest.fixture
def sdk(local_gateway: LocalGateway) -> Iterator[openai.OpenAI]:
    with sdk_client(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        yield client


@pytest.mark.parametrize(
    ("status", "raises"),
    [
        (401, openai.AuthenticationError),
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (529, openai.InternalServerError),
    ],
)
def test_provider_error_fails_the_next_calls_then_recovers(
    local_gateway: LocalGateway, sdk: openai.OpenAI, status: int, raises: type[openai.APIStatusError]
) -> None:
    local_gateway.faults.provider_error(status, times=2)
    for _ in range(2):
        with pytest.raises(raises) as caught:
            sdk.chat.completions.create(**HELLO)  # type: ignore[call-overload]
        assert caught.value.status_code == status
        assert isinstance(caught.value.body, dict)
        assert caught.value.body["message"].startswith(f"OpenAI error {status}: ")
        assert "retry-after" not in caught.value.response.headers  # the provider's hint is not forwarded
    assert sdk.chat.completions.create(**HELLO).choices[0].message.content == "Hello there! How can I help?"  # type: ignore[call-overload]


def test_provider_error_can_target_a_provider_so_a_fallback_answers(
    local_gateway: LocalGateway, http: httpx.Client
) -> None:
    local_gateway.faults.provider_error(500, provider="openai")
    body = {**HELLO, "fallback_models": ["claude-3-5-haiku-latest"]}
    answer = http.post("/v1/chat", json=body)
    assert answer.status_code == 200
    assert answer.json()["provider"] == "anthropic"
    assert answer.json()["fallback_used"] is True
    assert answer.headers["x-llmgw-fallback"] == "true"


@pytest.mark.parametrize("provider_model", ["gpt-4o-mini", "gemini-1.5-flash", "azure/gpt-4o-mini"])
def test_midstream_breaks_an_sse_stream_after_n_deltas(
    local_gateway: LocalGateway, sdk: openai.OpenAI, provider_model: str
) -> None:
    local_gateway.faults.midstream(after=2)
    seen: list[str | None] = []
    stream = sdk.chat.completions.create(model=provider_model, messages=HELLO["messages"], stream=True)  # type: ignore[call-overload]
    with pytest.raises(openai.APIError, match="peer closed connection"):
        seen.extend(chunk.choices[0].delta.content for chunk in stream)
    assert seen == [None, "Hello", " there"]


def test_midstream_breaks_a_native_stream_with_the_sentinel(local_gateway: LocalGateway, http: httpx.Client) -> None:
    local_gateway.faults.midstream(after=3, provider="anthropic")
    answer = http.post("/v1/chat", json={**HELLO, "model": "claude-3-5-haiku-latest", "stream": True})
    assert answer.status_code == 200
    assert answer.text == "Hello there!\n[error] Anthropic stream error: Overloaded"


def test_midstream_waits_for_a_stream(local_gateway: LocalGateway, http: httpx.Client) -> None:
    local_gateway.faults.midstream(after=1)
    assert http.post("/v1/chat", json=HELLO).status_code == 200  # not a stream: the fault is kept
    assert http.post("/v1/chat", json={**HELLO, "stream": True}).text.endswith(
        "\n[error] peer closed connection without sending complete message body (incomplete chunked read)"
    )


def test_slow_delays_the_answer(local_gateway: LocalGateway, http: httpx.Client) -> None:
    local_gateway.faults.slow(0.3)
    started = time.monotonic()
    assert http.post("/v1/chat", json=HELLO).status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.local_gateway(provider_timeout=0.2)
def test_slow_beyond_the_provider_timeout_fails_as_a_transport_error(
    local_gateway: LocalGateway, http: httpx.Client
) -> None:
    local_gateway.faults.slow(5, times=1)  # every retry of this call is slow
    answer = http.post("/v1/chat", json=HELLO)
    assert answer.status_code == 502
    assert answer.json() == {"detail": "OpenAI request failed: timed out"}


def test_open_circuit_refuses_with_503_until_closed(local_gateway: LocalGateway, http: httpx.Client) -> None:
    local_gateway.faults.open_circuit("openai")
    refused = http.post("/v1/chat", json=HELLO)
    assert (refused.status_code, refused.json()) == (503, {"detail": "openai circuit is open"})
    stream = http.post("/v1/chat/completions", json={**HELLO, "stream": True})
    assert stream.status_code == 503
    assert stream.json()["error"] == {
        "message": "openai circuit is open",
        "type": "provider_error",
        "param": None,
        "code": None,
    }
    assert http.post("/v1/chat", json={**HELLO, "model": "claude-3-5-haiku-latest"}).status_code == 200
    local_gateway.faults.close_circuits()
    assert http.post("/v1/chat", json=HELLO).status_code == 200


@pytest.mark.parametrize(
    ("scope", "period", "message"),
    [
        ("project", "daily", "Project daily budget exceeded"),
        ("org", "daily", "Organisation daily budget exceeded"),
        ("project", "monthly", "Project monthly budget exceeded"),
        ("org", "monthly", "Organisation monthly budget exceeded"),
    ],
)
def test_exhaust_budget_gives_its_402(
    local_gateway: LocalGateway, http: httpx.Client, scope: str, period: str, message: str
) -> None:
    local_gateway.faults.exhaust_budget(scope, period)  # type: ignore[arg-type]
    for path in ("/v1/chat", "/v1/chat/completions"):
        answer = http.post(path, json=HELLO)
        assert (answer.status_code, answer.json()) == (402, {"detail": message})
        assert not [h for h in answer.headers if h.startswith(("x-budget", "x-ratelimit"))]
    local_gateway.faults.restore_budgets()
    assert http.post("/v1/chat", json=HELLO).status_code == 200


def test_rate_limit_gives_the_gateways_own_429(local_gateway: LocalGateway, http: httpx.Client) -> None:
    local_gateway.faults.rate_limit(times=1)
    limited = http.post("/v1/chat/completions", json=HELLO)
    assert limited.status_code == 429
    assert limited.json() == {"detail": "Rate limit exceeded"}
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["x-ratelimit-limit"] == "60"
    assert http.post("/v1/chat/completions", json=HELLO).status_code == 200


def test_drop_connection_truncates_the_answer(local_gateway: LocalGateway, sdk: openai.OpenAI) -> None:
    local_gateway.faults.drop_connection(path="/v1/chat/completions")
    with pytest.raises(openai.APIConnectionError):
        sdk.chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert sdk.chat.completions.create(**HELLO).choices[0].finish_reason == "stop"  # type: ignore[call-overload]


async def test_drop_connection_reaches_async_clients_too(local_gateway: LocalGateway) -> None:
    local_gateway.faults.drop_connection()
    async with async_sdk_client(
        base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0
    ) as client:
        with pytest.raises(openai.APIConnectionError):
            await client.models.list()
        assert len((await client.models.list()).data) == 28


def test_an_unused_fault_fails_the_test_on_exit() -> None:
    gateway = LocalGateway()
    with pytest.raises(AssertionError, match=r"never hit: provider_error\(500\) x1"), gateway:
        gateway.faults.provider_error(500)


def test_a_non_strict_gateway_tolerates_unused_faults() -> None:
    with LocalGateway(strict=False) as gateway:
        gateway.faults.rate_limit()
    assert gateway.faults.pending == ["rate_limit(times=1) x1"]


def test_calls_record_what_arrived(local_gateway: LocalGateway) -> None:
    with sdk_client(
        base_url=local_gateway.base_url,
        api_key="unused",
        default_headers={"x-api-key": local_gateway.api_key, "x-user-id": "alice"},
        max_retries=0,
    ) as client:
        client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
        client.models.list()
    assert [(c.method, c.path, c.status) for c in local_gateway.calls] == [
        ("POST", "/v1/chat/completions", 200),
        ("GET", "/v1/models", 200),
    ]
    assert all(
        c.headers["x-api-key"] == local_gateway.api_key and c.headers["x-user-id"] == "alice"
        for c in local_gateway.calls
    )
    assert local_gateway.calls[0].json == HELLO
    assert local_gateway.calls.last.path == "/v1/models"
    assert local_gateway.calls.last.json is None
    assert len(local_gateway.calls.to("/v1/models")) == 1
