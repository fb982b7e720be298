"""Routing, cost and the native stream, replayed from the reference cassettes of a real OmniGate 0.2.0.

Each scenario replays the interactions under test of one or more reference cassettes (setup steps
are not needed: the gateway state they built is in the recorded answers). Compat scenarios are joined
with `models_list`, whose `GET /v1/models` the client fetches once to price calls. Sync and async.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
import vcr
import yaml
from openai.types.chat import ChatCompletion

import omnigate_openai as og
from _reference_cassettes import interactions as reference_interactions
from omnigate_openai.testing._cassettes import BODY_MATCHER, MATCH_ON, body_matcher

BASE_URL = "http://127.0.0.1:58000/v1"
KEY = "llmg_<redacted-1>"
SAY_HELLO = [{"role": "user", "content": "Say hello."}]

Step = tuple[str, dict[str, Any]]
"""("native" | "create" | "stream" | "get", arguments): one call a driver makes."""


@dataclass(frozen=True)
class Replay:
    name: str
    cassettes: tuple[str, ...]
    steps: tuple[Step, ...]
    check: Callable[[list[Any]], None]


def _native(model: str, messages: list[dict[str, str]] = SAY_HELLO, **fields: Any) -> Step:
    return ("native", {"model": model, "messages": messages, **fields})


def _meta(result: Any) -> og.GatewayMeta:
    assert not isinstance(result, BaseException), result
    return og.meta(result)


def _check_native_success(results: list[Any]) -> None:
    (completion,) = results
    assert isinstance(completion, ChatCompletion)
    assert (completion.id, completion.model, completion.choices[0].finish_reason) == (
        "chatcmpl-28b9bffbf0e06e834ab488af",
        "gpt-4o-2024-08-06",
        "stop",
    )
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.total_tokens) == (15, 23)
    found = _meta(completion)
    assert (found.request_id, found.provider, found.cost_usd, found.cached, found.fallback_used, found.latency_ms) == (
        "68bc08e2-36df-4d44-88ff-008d60eb4185",
        "openai",
        0.000118,
        False,
        False,
        9,
    )
    assert found.rate_limit == og.RateLimitStatus(limit=60, remaining=59, reset=50)
    assert "cost_usd" not in completion.model_dump()


def _finish(raw: str, provider: str, cost: float) -> Callable[[list[Any]], None]:
    def check(results: list[Any]) -> None:
        (completion,) = results
        assert completion.choices[0].finish_reason == "stop"
        found = _meta(completion)
        assert (found.raw_finish_reason, found.provider, found.cost_usd) == (raw, provider, cost)

    return check


def _check_dated(results: list[Any]) -> None:
    gpt4, turbo, metrics = results
    assert (_meta(gpt4).model, _meta(gpt4).cost_usd) == ("gpt-4-0613", 0.0)
    assert _meta(turbo).cost_usd == 0.00033
    assert metrics["totals"]["cost_usd"] == _meta(gpt4).cost_usd + _meta(turbo).cost_usd


def _check_cache(results: list[Any]) -> None:
    miss, hit = results
    assert (_meta(miss).cached, _meta(miss).cost_usd, _meta(hit).cached, _meta(hit).cost_usd) == (
        False,
        6e-06,
        True,
        0.0,
    )
    assert hit.id == miss.id


def _check_fallback(results: list[Any]) -> None:
    (completion,) = results
    found = _meta(completion)
    assert (found.provider, found.model, found.fallback_used, found.cost_usd) == (
        "anthropic",
        "claude-3-5-haiku-20241022",
        True,
        0.0,  # the dated name is not in the price table: the gateway bills $0 (protocol §11.1)
    )
    assert (completion.choices[0].finish_reason, found.raw_finish_reason) == ("stop", "end_turn")


def _check_all_fail(results: list[Any]) -> None:
    (error,) = results
    assert isinstance(error, og.ProviderError)
    assert isinstance(error, openai.InternalServerError)
    assert (error.status_code, error.provider, error.upstream_status) == (529, "anthropic", 529)
    assert str(error).startswith("Anthropic error 529: ")
    assert og.meta(error).request_id == "5d10ffe606a740dba8b5c62430551104"


def _stream(
    text: str, error: tuple[type[Exception], int, int | None, str] | None = None
) -> Callable[[list[Any]], None]:
    def check(results: list[Any]) -> None:
        ((seen, caught),) = results
        assert seen == text
        if error is None:
            assert caught is None
            return
        cls, status, upstream, message = error
        assert isinstance(caught, og.ProviderError)
        assert isinstance(caught, cls)
        assert (caught.status_code, caught.upstream_status) == (status, upstream)
        assert str(caught).startswith(message)

    return check


def _check_stream_unknown(results: list[Any]) -> None:
    ((seen, caught),) = results
    assert seen == ""
    assert isinstance(caught, og.ModelNotFoundError)
    assert str(caught) == "No provider registered for model 'llama-3'"


def _compat_cost(cost: float, raw: str | None = None) -> Callable[[list[Any]], None]:
    def check(results: list[Any]) -> None:
        (completion,) = results
        found = _meta(completion)
        assert (found.cost_usd, found.raw_finish_reason, found.fallback_used) == (cost, raw, False)

    return check


def _check_metrics_agree(results: list[Any]) -> None:
    *calls, metrics = results
    assert isinstance(calls[-1], og.ProviderError)
    assert calls[-1].status_code == 404
    costs = [_meta(call).cost_usd for call in calls[:-1]]
    assert costs == [6e-06, 0.0, 6e-06, 0.0]  # native, compat claude-3-5-haiku-20241022 ($0), cache miss, hit
    assert round(sum(c or 0.0 for c in costs), 6) == metrics["totals"]["cost_usd"]


COMPAT_SUCCESS = {
    "messages": [{"role": "system", "content": "Be brief."}, *SAY_HELLO],
    "temperature": 0.2,
    "max_tokens": 50,
}
UPSTREAM_401 = "OpenAI error 401: "
HI_AGAIN_CACHED: Step = (
    "create",
    {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hi again."}],
        "temperature": 0,
        "extra_body": {"cache": True},
    },
)
METRICS_TRAFFIC: tuple[Step, ...] = (
    _native("gpt-4o-mini"),
    ("create", {"model": "claude-3-5-haiku-latest", "messages": SAY_HELLO, "extra_headers": {"x-user-id": "bob"}}),
    HI_AGAIN_CACHED,
    HI_AGAIN_CACHED,
    _native("gpt-4o-mini", [{"role": "user", "content": "Fail please. FAULT:404"}]),
    ("get", {"path": "/metrics", "params": {"group_by": "model", "range": "1h"}}),
)
"""`metrics_group_by_model`: a native call as alice, a compat call as bob, a cache miss and hit, a provider 404."""
REPLAYS = [
    Replay(
        "native_success",
        ("native_success",),
        (_native("gpt-4o", [{"role": "system", "content": "Be brief."}, *SAY_HELLO], max_tokens=64, temperature=0.3),),
        _check_native_success,
    ),
    Replay(
        "native_anthropic",
        ("native_anthropic_success",),
        (_native("claude-3-5-sonnet-latest"),),
        _finish("end_turn", "anthropic", 0.000147),
    ),
    Replay(
        "native_gemini", ("native_gemini_success",), (_native("gemini-2.0-flash"),), _finish("STOP", "gemini", 4e-06)
    ),
    Replay(
        "native_dated_model",
        ("native_dated_model_unpriced_cost_zero",),
        (
            _native("gpt-4"),
            _native("gpt-4-turbo"),
            ("get", {"path": "/metrics", "params": {"range": "1h", "group_by": "model"}}),
        ),
        _check_dated,
    ),
    Replay(
        "cache miss then hit",
        ("native_cache_hit",),
        (("create", {"model": "gpt-4o-mini", "messages": SAY_HELLO, "temperature": 0, "extra_body": {"cache": True}}),)
        * 2,
        _check_cache,
    ),
    Replay(
        "fallback taken",
        ("native_fallback_cross_provider",),
        (
            (
                "create",
                {
                    "model": "gpt-4o",
                    "messages": [{"role": "user", "content": "Say hello. FAULT:500@gpt-4o"}],
                    "extra_body": {"fallback_models": ["anthropic/claude-3-5-haiku-latest"]},
                },
            ),
        ),
        _check_fallback,
    ),
    Replay(
        "every candidate fails",
        ("native_fallback_all_fail",),
        (
            (
                "create",
                {
                    "model": "gpt-4o",
                    "messages": [
                        {"role": "user", "content": "Say hello. FAULT:500@gpt-4o FAULT:529@claude-3-5-haiku-latest"}
                    ],
                    "extra_body": {"fallback_models": ["claude-3-5-haiku-latest"]},
                },
            ),
        ),
        _check_all_fail,
    ),
    Replay(
        "native stream",
        ("native_stream_success",),
        (("stream", {"model": "gpt-4o-mini", "messages": SAY_HELLO}),),
        _stream("Hello there! How can I help?"),
    ),
    Replay(
        "native stream gemini",
        ("native_stream_gemini",),
        (("stream", {"model": "gemini-1.5-flash", "messages": SAY_HELLO}),),
        _stream("Hello there! How can I help?"),
    ),
    Replay(
        "native stream provider 401",
        ("native_stream_provider_401",),
        (("stream", {"model": "gpt-4o-mini", "messages": SAY_HELLO}),),
        _stream("", (openai.AuthenticationError, 401, 401, UPSTREAM_401)),
    ),
    Replay(
        "native stream mid-stream",
        ("native_stream_midstream_anthropic",),
        (
            (
                "stream",
                {
                    "model": "claude-3-5-haiku-latest",
                    "messages": [{"role": "user", "content": "Say hello. FAULT:MIDSTREAM:3"}],
                },
            ),
        ),
        _stream("Hello there!", (openai.InternalServerError, 502, None, "Anthropic stream error: Overloaded")),
    ),
    Replay(
        "native stream unknown model",
        ("native_stream_unknown_model_400",),
        (("stream", {"model": "llama-3", "messages": [{"role": "user", "content": "hi"}]}),),
        _check_stream_unknown,
    ),
    Replay(
        "compat cost gpt-4o-mini",
        ("models_list", "compat_openai_success"),
        (("create", {"model": "gpt-4o-mini", **COMPAT_SUCCESS}),),
        _compat_cost(7e-06),
    ),  # 15 prompt and 8 completion tokens: 0.00000705
    Replay(
        "compat cost dated claude",
        ("models_list", "compat_anthropic_success"),
        (("create", {"model": "claude-3-5-sonnet-latest", "messages": SAY_HELLO}),),
        _compat_cost(0.000147, "end_turn"),
    ),
    Replay(
        "compat cost gemini -002",
        ("models_list", "compat_gemini_success"),
        (("create", {"model": "gemini-1.5-flash", "messages": SAY_HELLO}),),
        _compat_cost(3e-06, "STOP"),
    ),  # gemini-1.5-flash-002 trims to gemini-1.5-flash: 0.000003075
    Replay(
        "cost agrees with /v1/metrics", ("models_list", "metrics_group_by_model"), METRICS_TRAFFIC, _check_metrics_agree
    ),
]



@pytest.fixture
def cassette(tmp_path: Path) -> Callable[[Replay], Any]:
    def open_cassette(replay: Replay) -> Any:
        interactions = []
        for name in replay.cassettes:
            interactions += reference_interactions(name)
        joined = tmp_path / "joined.yaml"
        joined.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}, allow_unicode=True))
        recorder = vcr.VCR(record_mode="none", match_on=MATCH_ON)
        recorder.register_matcher(BODY_MATCHER, body_matcher)
        return recorder.use_cassette(str(joined))

    return open_cassette


def _run(client: og.OpenAI, step: Step) -> Any:
    kind, arguments = step
    try:
        if kind == "native":
            return client.post("/chat", body=arguments, cast_to=ChatCompletion)
        if kind == "create":
            return client.chat.completions.create(**arguments)
        if kind == "get":
            return client.get(arguments["path"], cast_to=object, options={"params": arguments["params"]})
        seen: list[str] = []
        try:
            for piece in client.gateway.chat_stream(**arguments).text():
                seen.append(piece)
        except og.APIError as exc:
            return "".join(seen), exc
        return "".join(seen), None
    except og.APIError as exc:
        return exc


async def _arun(client: og.AsyncOpenAI, step: Step) -> Any:
    kind, arguments = step
    try:
        if kind == "native":
            return await client.post("/chat", body=arguments, cast_to=ChatCompletion)
        if kind == "create":
            return await client.chat.completions.create(**arguments)
        if kind == "get":
            return await client.get(arguments["path"], cast_to=object, options={"params": arguments["params"]})
        seen: list[str] = []
        try:
            stream = await client.gateway.chat_stream(**arguments)
            async for piece in stream.text():
                seen.append(piece)
        except og.APIError as exc:
            return "".join(seen), exc
        return "".join(seen), None
    except og.APIError as exc:
        return exc


@pytest.mark.parametrize("replay", REPLAYS, ids=lambda r: r.name)
def test_sync_replay(replay: Replay, cassette: Callable[[Replay], Any]) -> None:
    with cassette(replay) as played, og.OpenAI(base_url=BASE_URL, api_key=KEY, max_retries=0) as client:
        replay.check([_run(client, step) for step in replay.steps])
    assert played.play_count == len(replay.steps) + ("models_list" in replay.cassettes)


@pytest.mark.parametrize("replay", REPLAYS, ids=lambda r: r.name)
async def test_async_replay(replay: Replay, cassette: Callable[[Replay], Any]) -> None:
    with cassette(replay) as played:
        async with og.AsyncOpenAI(base_url=BASE_URL, api_key=KEY, max_retries=0) as client:
            replay.check([await _arun(client, step) for step in replay.steps])
    assert played.play_count == len(replay.steps) + ("models_list" in replay.cassettes)


def test_six_fallbacks_are_refused_before_the_gateways_422() -> None:
    recorded = reference_interactions("native_six_fallbacks_422")[1]
    body = json.loads(recorded["request"]["body"])
    assert recorded["response"]["status"]["code"] == 422
    fallbacks = body.pop("fallback_models")
    with og.OpenAI(base_url=BASE_URL, api_key=KEY) as client, pytest.raises(og.UnsupportedFeatureError) as caught:
        client.chat.completions.create(**body, extra_body={"fallback_models": fallbacks})
    assert caught.value.field == "fallback_models"
    assert "at most 5 fallback models; got 6" in str(caught.value)
