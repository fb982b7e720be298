"""Cost and metadata on every result: the compat route priced as the gateway bills it, live, sync and async."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from decimal import Decimal
from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai.omnigate._prices import PriceCache, cost_usd, prices_from_models
from omnigate_openai.testing import LocalGateway

SAY_HELLO = [{"role": "user", "content": "Say hello."}]
# Compat calls over models whose served names resolve differently: dated and priced, dated and unpriced
# (claude-3-5-haiku-20241022, gpt-4-0613 cost $0 at the gateway), a 3-digit suffix, a portable name.
COMPAT_MODELS = [
    "gpt-4o-mini",
    "gpt-4o",
    "claude-3-5-sonnet-latest",
    "claude-3-5-haiku-latest",
    "gpt-4",
    "gemini-2.0-flash",
    "anthropic/claude-3-7-sonnet-latest",
    "o3-mini",
]


def _metrics_cost(client: og.OpenAI) -> Decimal:
    metrics: Any = client.get("/metrics", cast_to=object, options={"params": {"range": "1h"}})
    return Decimal(str(metrics["totals"]["cost_usd"]))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def test_compat_cost_equals_the_gateways_accounting(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    costs = []
    for model in COMPAT_MODELS:
        completion = client.chat.completions.create(model=model, messages=SAY_HELLO, max_tokens=2000)
        found = og.meta(completion)
        assert found.cost_usd == float(local_gateway.state.usage[-1].cost), model
        costs.append(Decimal(str(found.cost_usd)))
    routed = client.with_routing(cache=False).chat.completions.create(model="gpt-4.1", messages=SAY_HELLO)
    costs.append(Decimal(str(og.meta(routed).cost_usd)))
    total = sum(costs, Decimal(0))
    assert total > 0
    assert _metrics_cost(client) == total  # exact, and so to the cent
    assert _cents(_metrics_cost(client)) == _cents(total)
    assert [og.meta(c).cost_usd for c in []] == []
    assert len(local_gateway.calls.to("/v1/models")) == 1  # fetched once per client


async def test_async_compat_cost_equals_the_gateways_accounting(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    completions = await asyncio.gather(
        *(async_client.chat.completions.create(model=model, messages=SAY_HELLO) for model in COMPAT_MODELS)
    )
    total = sum((Decimal(str(og.meta(c).cost_usd)) for c in completions), Decimal(0))
    metrics: Any = await async_client.get("/metrics", cast_to=object, options={"params": {"range": "1h"}})
    assert Decimal(str(metrics["totals"]["cost_usd"])) == total > 0
    assert len(local_gateway.calls.to("/v1/models")) == 1  # concurrent first calls share one fetch


def test_compat_metadata(client: og.OpenAI) -> None:
    completion = client.chat.completions.create(model="claude-3-5-sonnet-latest", messages=SAY_HELLO)
    found = og.meta(completion)
    assert (found.provider, found.model, found.cost_usd) == ("anthropic", "claude-3-5-sonnet-20241022", 0.000147)
    assert (found.cached, found.fallback_used, found.raw_finish_reason) == (None, False, "end_turn")
    assert found.latency_ms is not None
    assert found.latency_ms >= 0
    assert found.rate_limit == og.RateLimitStatus(limit=60, remaining=59, reset=found.rate_limit.reset)
    assert {(b.scope, b.period) for b in found.budgets} == {("project", "daily"), ("org", "daily")}
    assert "cost_usd" not in completion.model_dump()
    assert "cost_usd" not in completion.to_json()


def test_the_provider_comes_from_the_requested_model(client: og.OpenAI) -> None:
    """`azure/gpt-4o` is served as `gpt-4o-2024-08-06`: only the model the call named says Azure."""
    completion = client.chat.completions.create(model="azure/gpt-4o", messages=SAY_HELLO * 200)
    assert (og.meta(completion).provider, completion.model) == ("azure", "gpt-4o-2024-08-06")


def test_a_streams_usage_chunk_prices_the_stream(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=SAY_HELLO, stream=True, stream_options={"include_usage": True}
    )
    assert og.meta(stream).cost_usd is None
    chunks = list(stream)
    assert chunks[-1].usage is not None
    assert og.meta(stream).cost_usd == float(local_gateway.state.usage[-1].cost) == 0.000006
    assert og.meta(stream).provider == "openai"


async def test_async_stream_cost(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    stream = await async_client.chat.completions.create(
        model="gemini-1.5-flash", messages=SAY_HELLO, stream=True, stream_options={"include_usage": True}
    )
    async for _ in stream:
        pass
    assert og.meta(stream).cost_usd == float(local_gateway.state.usage[-1].cost)


def test_prices_are_fetched_once_and_shared_with_copies(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    threads = [
        threading.Thread(
            target=lambda: client.with_user("t").chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
        )
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    client.with_options(timeout=5).chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    assert len(local_gateway.calls.to("/v1/models")) == 1
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as other:
        other.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    assert len(local_gateway.calls.to("/v1/models")) == 2  # another client, its own fetch


def test_a_failed_price_fetch_leaves_the_cost_unknown_not_wrong(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.drop_connection(path="/v1/models")
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    assert og.meta(completion).cost_usd is None
    assert og.meta(client.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)).cost_usd is None
    assert len(local_gateway.calls.to("/v1/models")) == 1  # not asked again on every call


async def test_async_failed_price_fetch(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.drop_connection(path="/v1/models")
    completion = await async_client.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    assert og.meta(completion).cost_usd is None


def test_a_failed_fetch_is_retried_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    cache, answers = PriceCache(), iter([RuntimeError("down"), {"data": [_card("gpt-4o", 0.0025, 0.01)]}])

    def fetch() -> object:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert cache.load(fetch) is None
    assert cache.load(fetch) is None  # remembered: not fetched again at once
    monkeypatch.setattr("omnigate_openai.omnigate._prices.RETRY_AFTER_FAILURE", 0.0)
    assert cache.load(fetch) == {"gpt-4o": (0.0025, 0.01)}


def _card(model: str, prompt: float, completion: float) -> dict[str, Any]:
    return {"id": model, "pricing": {"input_per_1k_usd": prompt, "output_per_1k_usd": completion}}


PRICES = prices_from_models({"data": [_card("gpt-4o", 0.0025, 0.01), _card("gemini-2.0-flash", 0.0001, 0.0004)]})


@pytest.mark.parametrize(
    ("model", "usage", "expected"),
    [
        ("gpt-4o", {"prompt_tokens": 15, "completion_tokens": 8}, 0.000118),
        ("gpt-4o-2024-08-06", {"prompt_tokens": 15, "completion_tokens": 8}, 0.000118),
        ("azure/gpt-4o", {"prompt_tokens": 15, "completion_tokens": 8}, 0.000118),
        ("gemini-2.0-flash-001", {"prompt_tokens": 9, "completion_tokens": 8}, 0.000004),
        ("gpt-4o-0613", {"prompt_tokens": 9, "completion_tokens": 8}, 0.0),
        ("mistral", {"prompt_tokens": 9, "completion_tokens": 8}, 0.0),
        ("gpt-4o", {"prompt_tokens": 2, "completion_tokens": 0}, 0.000005),  # 0.0000050: half up
        ("gpt-4o", None, None),
        ("gpt-4o", {"prompt_tokens": "9"}, None),
    ],
)
def test_cost_follows_the_servers_resolution_and_quantisation(model: str, usage: object, expected: object) -> None:
    assert cost_usd(PRICES, model, usage) == expected


def test_unparseable_price_lists_are_refused() -> None:
    with pytest.raises(ValueError, match="Expected a model list with `data`"):
        prices_from_models({"object": "list"})
    assert prices_from_models({"data": [{"id": "x", "pricing": None}]}) == {}


# -- metadata of errors and raw responses --------------------------------------------------------


def test_a_gateway_error_carries_its_metadata(local_gateway: LocalGateway) -> None:
    with (
        og.OpenAI(base_url=local_gateway.base_url, api_key="llmg_wrong", max_retries=0) as client,
        pytest.raises(og.AuthError) as caught,
    ):
        client.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    found = og.meta(caught.value)
    assert found.request_id == caught.value.response.headers["x-request-id"]
    assert found.rate_limit is None  # 401 answers carry no rate-limit headers


async def test_async_rate_limit_error_metadata(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.rate_limit()
    with pytest.raises(og.RateLimitError) as caught:
        await async_client.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    found = og.meta(caught.value)
    assert found.rate_limit is not None
    assert found.rate_limit.remaining == 0
    assert found.request_id is not None


def test_a_raw_response_shows_its_headers(client: og.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=SAY_HELLO)
    assert og.meta(raw).request_id == raw.headers["x-request-id"]
    assert og.meta(raw.http_response).rate_limit is not None
    assert og.meta(raw.parse()).cost_usd == 0.000006
    with client.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=SAY_HELLO) as response:
        assert og.meta(response).request_id == response.headers["x-request-id"]


def test_results_and_their_metadata_are_freed_with_the_result(client: og.OpenAI) -> None:
    completion = client.with_routing(cache=True).chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)
    tracked = (weakref.ref(completion), weakref.ref(og.meta(completion)))
    del completion
    gc.collect()
    assert [ref() for ref in tracked] == [None, None]


def test_meta_of_a_plain_openai_object_is_a_type_error(local_gateway: LocalGateway) -> None:
    with openai.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as plain:
        completion = plain.chat.completions.create(model="gpt-4o-mini", messages=SAY_HELLO)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ChatCompletion carries no gateway metadata"):
        og.meta(completion)
