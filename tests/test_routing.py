"""Fallbacks and the response cache from the standard call: routed to the native `/v1/chat`, live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import omnigate_openai as og
from omnigate_openai._sdk import FinalRequestOptions
from omnigate_openai.omnigate._model_route import model_route
from omnigate_openai.omnigate._native import Routing
from omnigate_openai.omnigate._routing import chat_request
from omnigate_openai.omnigate._wire import CHAT_COMPLETIONS_PATH
from omnigate_openai.testing import LocalGateway

HELLO: dict[str, Any] = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Say hello."}]}
HAIKU = "claude-3-5-haiku-latest"


@dataclass(frozen=True)
class Scenario:
    """One routed call: faults to schedule, the call's arguments, and what must come back."""

    name: str
    call: dict[str, Any]
    provider: str
    model: str
    fallback_used: bool
    faults: Callable[[LocalGateway], None] = lambda _: None
    sent: dict[str, Any] = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "fallback taken",
        {"extra_body": {"fallback_models": [f"anthropic/{HAIKU}"]}},
        "anthropic",
        "claude-3-5-haiku-20241022",
        True,
        faults=lambda gw: gw.faults.provider_error(500, model="gpt-4o"),
        sent={"fallback_models": [HAIKU]},
    ),
    Scenario(
        "fallback not taken",
        {"extra_body": {"fallback_models": [HAIKU]}},
        "openai",
        "gpt-4o-2024-08-06",
        False,
        sent={"fallback_models": [HAIKU]},
    ),
    Scenario(
        "cache switched off per call",
        {"extra_body": {"cache": False}, "temperature": 0, "max_completion_tokens": 50},
        "openai",
        "gpt-4o-2024-08-06",
        False,
        sent={"cache": False, "temperature": 0, "max_tokens": 50},
    ),
]


def _check(scenario: Scenario, completion: ChatCompletion, gateway: LocalGateway) -> None:
    assert isinstance(completion, ChatCompletion)
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == scenario.model
    assert completion.usage is not None
    assert completion.usage.total_tokens == 17
    found = og.meta(completion)
    assert (found.provider, found.model, found.fallback_used, found.cached) == (
        scenario.provider,
        scenario.model,
        scenario.fallback_used,
        False,
    )
    assert found.raw_finish_reason == ("end_turn" if scenario.provider == "anthropic" else None)
    assert found.cost_usd == float(gateway.state.usage[-1].cost)  # the server's own figure
    assert len(found.request_id or "") == 36  # the native route's dashed uuid
    sent = gateway.calls.last
    assert sent.path == "/v1/chat"
    assert sent.json == {**HELLO, **scenario.sent}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_routed_calls(scenario: Scenario, client: og.OpenAI, local_gateway: LocalGateway) -> None:
    scenario.faults(local_gateway)
    _check(scenario, client.chat.completions.create(**HELLO, **scenario.call), local_gateway)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
async def test_async_routed_calls(
    scenario: Scenario, async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    scenario.faults(local_gateway)
    _check(scenario, await async_client.chat.completions.create(**HELLO, **scenario.call), local_gateway)


def test_with_routing_is_a_copy_and_calls_without_it_stay_compat(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    routed = client.with_routing(fallbacks=[HAIKU], cache=True)
    assert routed.routing == Routing(fallbacks=[HAIKU], cache=True)
    assert client.routing == Routing()
    assert routed.with_options(timeout=5).routing == routed.routing
    assert routed.with_user("alice").routing == routed.routing
    assert routed.with_routing().routing == Routing()  # routing without fallbacks or cache switch: back to compat
    client.chat.completions.create(**HELLO)
    assert len(local_gateway.calls.to("/v1/chat/completions")) == 1
    routed.chat.completions.create(**HELLO, user="bob")
    sent = local_gateway.calls.last
    assert (sent.path, sent.json["fallback_models"], sent.json["cache"]) == ("/v1/chat", [HAIKU], True)
    assert "user" not in sent.json
    assert sent.headers["x-user-id"] == "bob"  # OmniGate attributes by header, not by the body's `user`
    # A call's own extra_body wins over the client's routing.
    routed.chat.completions.create(**HELLO, extra_body={"fallback_models": [], "cache": None})
    assert len(local_gateway.calls.to("/v1/chat/completions")) == 2


def _cache_pair(gateway: LocalGateway, first: ChatCompletion, second: ChatCompletion) -> None:
    hit, miss = og.meta(second), og.meta(first)
    assert (miss.cached, hit.cached) == (False, True)
    assert miss.cost_usd == 0.000118
    assert hit.cost_usd == 0.0
    assert second.id == first.id
    assert second.model_dump(exclude={"created"}) == first.model_dump(exclude={"created"})
    assert [c.path for c in gateway.calls.to("/v1/chat")] == ["/v1/chat", "/v1/chat"]


def test_cache_miss_then_hit(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    cached = client.with_routing(cache=True)
    body = {
        **HELLO,
        "temperature": 0,
        "max_tokens": 64,
        "messages": [{"role": "system", "content": "Be brief."}, *HELLO["messages"]],
    }
    _cache_pair(local_gateway, cached.chat.completions.create(**body), cached.chat.completions.create(**body))


async def test_async_cache_miss_then_hit(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    body = {
        **HELLO,
        "temperature": 0,
        "max_tokens": 64,
        "messages": [{"role": "system", "content": "Be brief."}, *HELLO["messages"]],
    }
    extra = {"extra_body": {"cache": True}}
    first = await async_client.chat.completions.create(**body, **extra)
    _cache_pair(local_gateway, first, await async_client.chat.completions.create(**body, **extra))


def test_without_temperature_0_the_gateway_does_not_cache(client: og.OpenAI) -> None:
    cached = client.with_routing(cache=True)
    answers = [og.meta(cached.chat.completions.create(**HELLO)).cached for _ in range(2)]
    assert answers == [False, False]


def test_every_candidate_failing_raises_the_last_ones_error(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(500, model="gpt-4o")
    local_gateway.faults.provider_error(529, model=HAIKU)
    with pytest.raises(og.ProviderError, match=r"^Anthropic error 529: ") as caught:
        client.with_routing(fallbacks=[HAIKU]).chat.completions.create(**HELLO)
    error = caught.value
    assert isinstance(error, openai.InternalServerError)
    assert (error.status_code, error.provider, error.upstream_status) == (529, "anthropic", 529)
    assert og.meta(error).request_id == error.response.headers["x-request-id"]


async def test_async_every_candidate_failing(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401, model="gpt-4o")
    local_gateway.faults.provider_error(401, model=HAIKU)
    with pytest.raises(og.ProviderError, match=r"^Anthropic error 401: ") as caught:
        await async_client.with_routing(fallbacks=[HAIKU]).chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.AuthenticationError)


def test_a_stream_with_fallbacks_is_refused_before_sending(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    for routed, extra in [(client.with_routing(fallbacks=[HAIKU]), {}), (client, {"fallback_models": [HAIKU]})]:
        with pytest.raises(og.UnsupportedFeatureError, match="no fallback for streams") as caught:
            routed.chat.completions.create(**HELLO, stream=True, extra_body=extra)
        assert caught.value.field == "fallback_models"
    assert local_gateway.calls.to("/v1/chat") == []
    assert local_gateway.calls.to("/v1/chat/completions") == []


def test_a_routed_stream_without_fallbacks_is_the_native_stream(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    stream = client.with_routing(cache=False).chat.completions.create(**HELLO, stream=True)
    assert isinstance(stream, og.NativeChatStream)
    assert isinstance(stream, openai.Stream)
    chunks = list(stream)
    assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello there! How can I help?"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert local_gateway.calls.last.json == {**HELLO, "stream": True, "cache": False}
    assert og.meta(stream).provider == "openai"


async def test_async_routed_stream(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.midstream(after=2)
    stream = await async_client.chat.completions.create(**HELLO, stream=True, extra_body={"cache": True})
    assert isinstance(stream, og.AsyncNativeChatStream)
    with pytest.raises(og.ProviderError) as caught:
        async for _ in stream:
            pass
    # The upstream connection dropped: the gateway's message is the transport error, naming no provider.
    assert (caught.value.status_code, caught.value.upstream_status) == (502, None)
    assert "incomplete chunked read" in str(caught.value)


def test_raw_response_of_a_routed_call(client: og.OpenAI) -> None:
    raw = client.with_routing(fallbacks=[HAIKU]).chat.completions.with_raw_response.create(**HELLO)
    assert og.meta(raw).provider == "openai"
    assert og.meta(raw).fallback_used is False
    completion = raw.parse()
    assert isinstance(completion, ChatCompletion)
    assert og.meta(completion).cost_usd == 0.000102  # 9 prompt and 8 completion tokens of gpt-4o


# -- the request rewrite, without a gateway ------------------------------------------------------


def _options(body: dict[str, Any], extra: dict[str, Any] | None = None) -> FinalRequestOptions:
    return FinalRequestOptions.construct(method="post", url=CHAT_COMPLETIONS_PATH, json_data=body, extra_json=extra)


def test_chat_request_routes_by_the_calls_and_the_clients_options() -> None:
    def route(extra: dict[str, Any] | None, routing: Routing) -> tuple[str, Any, Any]:
        done = chat_request(_options(dict(HELLO), extra), routing=routing, allow_ignored_fields=False)
        return done.url, done.json_data, done.extra_json

    assert route(None, Routing()) == (CHAT_COMPLETIONS_PATH, HELLO, None)
    assert route({"cache": None}, Routing()) == (CHAT_COMPLETIONS_PATH, HELLO, None)
    assert route({"metadata": {"a": "b"}}, Routing()) == (CHAT_COMPLETIONS_PATH, HELLO, {"metadata": {"a": "b"}})
    assert route({"cache": True}, Routing()) == ("/chat", {**HELLO, "cache": True}, None)
    assert route(None, Routing(fallbacks=["gpt-4o-mini"])) == (
        "/chat",
        {**HELLO, "fallback_models": ["gpt-4o-mini"]},
        None,
    )
    assert route({"fallback_models": ["o3"]}, Routing(fallbacks=["gpt-4o-mini"], cache=True)) == (
        "/chat",
        {**HELLO, "fallback_models": ["o3"], "cache": True},
        None,
    )
    with pytest.raises(og.UnsupportedFeatureError, match="has no `top_k`"):
        route({"cache": True, "top_k": 5}, Routing())


def test_other_requests_pass_unchanged() -> None:
    options = FinalRequestOptions.construct(method="get", url="/models")
    assert chat_request(options, routing=Routing(cache=True), allow_ignored_fields=False) is options


# -- client.gateway.route ------------------------------------------------------------------------


def test_model_route_follows_the_prefix_rule() -> None:
    assert model_route("openai/gpt-4o", ["openai"]) == og.ModelRoute("openai/gpt-4o", "gpt-4o", "openai", True)
    route = model_route("gemini-2.0-flash", ["openai"])
    assert (route.provider, route.key_configured, route.ready) == ("gemini", False, False)
    assert model_route("azure/my-deployment", ["azure"]).ready
    unknown = model_route("mistral-large", ["openai"])
    assert unknown.problem == "No provider registered for model 'mistral-large'"
    assert model_route("o3-mini", ["openai"]).problem is None


def test_route_reports_a_missing_key_in_the_gateways_words() -> None:
    with (
        LocalGateway(providers=("openai",)) as gateway,
        og.OpenAI(base_url=gateway.base_url, api_key=gateway.api_key, max_retries=0) as client,
    ):
        ready = client.gateway.route("gpt-4o-mini")
        route = client.gateway.route(f"anthropic/{HAIKU}")
        assert ready.ready
        assert (route.provider, route.key_configured, route.ready) == ("anthropic", False, False)
        with pytest.raises(og.ProviderError) as caught:
            client.chat.completions.create(model=f"anthropic/{HAIKU}", messages=HELLO["messages"])
        assert str(caught.value) == route.problem


async def test_async_route(async_client: og.AsyncOpenAI) -> None:
    route = await async_client.gateway.route("claude-sonnet-4")
    assert (route.provider, route.ready) == ("anthropic", True)


def test_the_sync_and_async_twins_take_the_same_arguments() -> None:
    import inspect

    from omnigate_openai.omnigate.resources.native_chat import AsyncNativeChatMethods, NativeChatMethods

    for sync, asynchronous in [
        (NativeChatMethods, AsyncNativeChatMethods),
        (og.NativeChatStream, og.AsyncNativeChatStream),
    ]:
        public = sorted(name for name in vars(sync) if not name.startswith("_"))
        assert public == sorted(name for name in vars(asynchronous) if not name.startswith("_"))
        for name in public:
            assert inspect.signature(getattr(sync, name)).parameters.keys() == (
                inspect.signature(getattr(asynchronous, name)).parameters.keys()
            ), name
    assert inspect.signature(og.OpenAI.with_routing) == inspect.signature(og.AsyncOpenAI.with_routing)


def test_the_sdks_stream_helper_and_streaming_response_work_when_routed(client: og.OpenAI) -> None:
    with client.with_routing(cache=False).chat.completions.stream(**HELLO) as stream:
        final = stream.get_final_completion()
    assert (final.choices[0].message.content, final.choices[0].finish_reason) == (
        "Hello there! How can I help?",
        "stop",
    )
    routed = client.with_routing(fallbacks=[HAIKU]).chat.completions
    with routed.with_streaming_response.create(**HELLO) as response:
        completion = response.parse()
    assert isinstance(completion, ChatCompletion)
    assert (og.meta(completion).fallback_used, og.meta(completion).cost_usd) == (False, 0.000102)
