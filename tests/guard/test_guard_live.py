"""Each control of a guard against the local gateway, through the sync and the async client, streams included."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from decimal import Decimal
from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from ._drive import QUIET, Driver, ask, calls_until_refused, history_of

CHAT = "/v1/chat/completions"
UNPRICED = "chatgpt-4o-latest"  # served by the provider, absent from the gateway's prices: billed $0
PINNED = "gpt-4o-mini-2024-07-18"  # a stream names only the requested model: a snapshot's cost is known


def sent(gateway: LocalGateway, path: str = CHAT) -> int:
    return len(gateway.calls.to(path))


def gateway_spend(gateway: LocalGateway) -> Decimal:
    with og.OpenAI(base_url=gateway.base_url, api_key=gateway.api_key) as client:
        return Decimal(str(client.gateway.metrics(range="1h").totals.cost_usd))


# -- limits -------------------------------------------------------------------------------------------


def test_a_budget_trips_on_the_gateways_real_cost(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=0.00005), loops=QUIET, name="budget")
    answered, error = calls_until_refused(lambda index: ask(driver, guard, f"question {index}", max_tokens=20))
    assert (error.limit, error.scope, error.maximum) == ("max_usd", "budget|run", 0.00005)
    assert error.current + error.requested > error.maximum
    assert "Guard limit max_usd of budget|run reached" in str(error)
    assert isinstance(error, og.GatewayError)
    assert isinstance(error, openai.OpenAIError)
    assert 1 < answered == sent(local_gateway)  # the refused call was never sent
    spent = guard.metrics()
    assert Decimal(str(spent.cost_usd)) == gateway_spend(local_gateway) <= Decimal("0.00005")
    assert (spent.calls, spent.reserved_usd) == (answered, 0.0)
    assert all(record.cost_source == "gateway" for record in guard.history() if record.error is None)
    assert guard.history()[-1].error == str(error)


@pytest.mark.parametrize(
    ("limits", "limit"),
    [(og.Limits(max_calls=2), "max_calls"), (og.Limits(max_tokens=400), "max_tokens")],
    ids=["calls", "tokens"],
)
def test_steps_and_tokens_are_limited(
    driver: Driver, local_gateway: LocalGateway, limits: og.Limits, limit: str
) -> None:
    guard = og.Guard(limits=limits, loops=QUIET)
    _, refused = calls_until_refused(lambda index: ask(driver, guard, f"step {index}", max_tokens=50))
    assert refused.limit == limit
    assert sent(local_gateway) == guard.metrics().calls >= 2 if limit == "max_tokens" else sent(local_gateway) == 2
    if limit == "max_tokens":
        assert guard.metrics().tokens <= 400


def test_wall_time_is_limited(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_seconds=0.3), loops=QUIET)
    ask(driver, guard, "first")
    time.sleep(0.4)
    with pytest.raises(og.LimitExceededError, match="max_seconds") as caught:
        ask(driver, guard, "second")
    assert caught.value.limit == "max_seconds"
    assert caught.value.current >= 0.3
    assert sent(local_gateway) == 1


def test_each_agent_has_its_own_limit(driver: Driver) -> None:
    guard = og.Guard(per_agent={"writer": og.Limits(max_calls=1)}, loops=QUIET, name="team")
    ask(driver, guard, "draft", agent_id="writer")
    with pytest.raises(og.LimitExceededError) as caught:
        ask(driver, guard, "draft again", agent_id="writer")
    assert caught.value.scope == "team|agent|writer"
    ask(driver, guard, "check", agent_id="reviewer")  # unlimited
    assert [record.agent_id for record in guard.history() if record.error is None] == ["writer", "reviewer"]
    assert guard.metrics(agent_id="writer").calls == 1
    assert guard.metrics().calls == 2


def test_per_user_limits_count_the_x_user_id(local_gateway: LocalGateway) -> None:
    driver = Driver("sync", local_gateway, {"user_id": "alice"})
    guard = og.Guard(per_user=og.Limits(max_calls=1), loops=QUIET, name="users")
    ask(driver, guard, "one")
    with pytest.raises(og.LimitExceededError) as caught:
        ask(driver, guard, "two")
    assert caught.value.scope == "users|user|alice"
    assert guard.history()[0].user_id == "alice"


@pytest.mark.parametrize(
    ("client_options", "call", "expected"),
    [
        ({"user_id": "alice"}, {}, "alice"),
        ({"default_headers": {"X-User-Id": "bob"}}, {}, "bob"),
        ({"user_id": "alice"}, {"extra_headers": {"x-USER-id": "carol"}}, "carol"),  # the call's own header wins
        ({"user_id": "alice", "default_headers": {"x-user-id": "dave"}}, {}, "dave"),
        ({"user_id": "alice"}, {"user": "erin"}, "erin"),  # the body's `user` becomes the header
        ({}, {}, None),
    ],
)
def test_a_call_counts_for_the_user_its_request_names(
    local_gateway: LocalGateway, client_options: dict[str, Any], call: dict[str, Any], expected: str | None
) -> None:
    """The guard reads the user off this copy when nothing else can name one, else off the request's headers."""
    for mode in ("sync", "async"):
        guard = og.Guard(loops=QUIET, name="users")
        Driver(mode, local_gateway, client_options).ask(guard, "writer", **call)
        assert local_gateway.calls.to(CHAT)[-1].headers.get("x-user-id") == expected
        assert [record.user_id for record in guard.history()] == [expected]
        if expected is not None:
            assert guard.metrics(user_id=expected).calls == 1


def test_a_child_run_is_capped_by_its_parent(driver: Driver) -> None:
    parent = og.Guard(limits=og.Limits(max_calls=3), loops=QUIET, name="run")
    child = parent.child(name="sub", limits=og.Limits(max_calls=10))
    for index in range(3):
        ask(driver, child, f"sub step {index}")
    with pytest.raises(og.LimitExceededError) as caught:
        ask(driver, child, "one too many")
    assert (caught.value.scope, caught.value.limit) == ("run|run", "max_calls")
    assert parent.metrics().calls == child.metrics().calls == 3
    assert len(parent.history()) == len(child.history()) == 4  # the parent sees its children's calls
    child.reset()
    assert child.metrics().calls == 0
    assert parent.metrics().calls == 3


def test_a_warning_fires_once_at_the_fraction(driver: Driver) -> None:
    warnings: list[og.LimitWarning] = []
    guard = og.Guard(limits=og.Limits(max_calls=4), warn_at=0.5, on_warning=warnings.append, loops=QUIET)
    for index in range(4):
        ask(driver, guard, f"call {index}")
    assert warnings == [og.LimitWarning("default|run", "max_calls", 2.0, 4.0)]


def test_an_unpriced_model_is_refused_or_reserved_at_a_stated_price(
    driver: Driver, local_gateway: LocalGateway
) -> None:
    refusing = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    with pytest.raises(og.UnpricedModelError, match=f"'{UNPRICED}'") as caught:
        ask(driver, refusing, "hi", model=UNPRICED)
    assert caught.value.model == UNPRICED
    assert sent(local_gateway) == 0
    stated = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET, unpriced_model=(0.01, 0.03))
    assert ask(driver, stated, "hi", model=UNPRICED, max_tokens=10).text == DEFAULT_REPLY
    record = stated.history()[-1]
    assert (record.cost_usd, record.cost_source) == (0.0, "gateway")  # what the gateway bills an unpriced model


def test_a_budget_refuses_a_call_when_the_prices_cannot_be_fetched_and_says_so(
    driver: Driver, local_gateway: LocalGateway
) -> None:
    """The message said the gateway lists no price for the model, which it does: the list was unreachable."""
    local_gateway.faults.drop_connection(path="/v1/models")
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    with pytest.raises(og.UnpricedModelError, match="The gateway's prices could not be fetched") as caught:
        ask(driver, guard, "hi", model=PINNED)
    assert caught.value.model == PINNED
    assert f"cannot reserve the cost of model '{PINNED}'" in str(caught.value)
    assert sent(local_gateway) == 0


def test_without_a_usd_limit_a_call_that_cannot_be_priced_is_recorded_as_unpriced(
    driver: Driver, local_gateway: LocalGateway
) -> None:
    """No budget to protect, so the call goes; its cost is unknown, which its record says (it said
    "reservation", as if the $0 it reserved had been charged)."""
    local_gateway.faults.drop_connection(path="/v1/models")
    guard = og.Guard(limits=og.Limits(max_calls=5), loops=QUIET)
    ask(driver, guard, "hi", model=PINNED)
    record = guard.history()[-1]
    assert (record.cost_usd, record.cost_source, record.error) == (0.0, "unpriced", None)
    assert local_gateway.state.usage[-1].cost > 0


# -- streams, routes, failures ------------------------------------------------------------------------


def test_a_stream_with_usage_settles_to_the_gateways_cost(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    answer = ask(driver, guard, "stream", model=PINNED, stream=True, stream_options={"include_usage": True})
    record = guard.history()[-1]
    assert (record.stream, record.cost_source, record.error) == (True, "gateway", None)
    assert record.cost_usd == answer.cost_usd
    assert Decimal(str(record.cost_usd)) == gateway_spend(local_gateway)
    assert guard.metrics().reserved_usd == 0.0


@pytest.mark.parametrize("asked", [False, True], ids=["usage-hidden", "usage-asked"])
def test_a_streams_tokens_are_its_usage_whether_the_caller_asked_for_it_or_not(
    driver: Driver, local_gateway: LocalGateway, asked: bool
) -> None:
    """The client asks for every stream's usage chunk and hides it from a caller who did not: the guard
    still counts its tokens (it charged the reservation's 200-odd tokens for a 16-token call)."""
    guard = og.Guard(limits=og.Limits(max_usd=1.0, max_tokens=100_000), loops=QUIET)
    options: dict[str, Any] = {"stream_options": {"include_usage": True}} if asked else {}
    ask(driver, guard, "stream", model=PINNED, stream=True, max_tokens=50, **options)
    billed = local_gateway.state.usage[-1]
    record = guard.history()[-1]
    assert (record.prompt_tokens, record.completion_tokens) == (billed.prompt_tokens, billed.completion_tokens)
    assert guard.metrics().tokens == billed.prompt_tokens + billed.completion_tokens
    assert record.cost_source == "gateway"


def test_a_stream_the_client_cannot_price_is_charged_its_reservation(driver: Driver) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    ask(driver, guard, "stream", stream=True, max_tokens=30)
    record = guard.history()[-1]
    assert record.cost_source == "reservation"
    assert record.cost_usd > 0
    assert guard.metrics().cost_usd == record.cost_usd
    assert guard.metrics().reserved_usd == 0.0


def test_a_stream_broken_off_is_settled(local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        stream = client.with_guard(guard).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        next(iter(stream))
        stream.close()
    record = guard.history()[-1]
    assert (record.error, record.cost_source) == ("stream broken off before its end", "reservation")
    assert guard.metrics().reserved_usd == 0.0


async def test_an_async_stream_broken_off_is_settled(local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        stream = await client.with_guard(guard).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        async for _chunk in stream:
            break
        await stream.close()
    assert guard.history()[-1].cost_source == "reservation"
    assert guard.metrics().reserved_usd == 0.0


@pytest.mark.parametrize("route", ["compat", "native"])
@pytest.mark.parametrize("how", ["closed", "dropped"])
async def test_an_async_stream_broken_off_awaits_the_async_after_call_hook(
    local_gateway: LocalGateway, how: str, route: str
) -> None:
    """Broken off, an async stream was settled by the sync path: `await stream.close()` raised "is async:
    use it with an AsyncOpenAI client" (it was one), and a dropped stream skipped the hook."""
    seen: list[og.CallRecord] = []

    async def after_call(record: og.CallRecord) -> None:
        await asyncio.sleep(0)
        seen.append(record)

    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET, after_call=after_call)
    body: dict[str, Any] = {"model": PINNED, "messages": [{"role": "user", "content": "hello there"}]}
    if route == "compat":
        body["stream"] = True
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        agent = client.with_guard(guard)
        opened = agent.gateway.chat_stream(**body) if route == "native" else agent.chat.completions.create(**body)
        stream: Any = await opened
        async for _chunk in stream:
            break
        if how == "closed":
            await stream.close()
        else:
            del stream
        for _ in range(100):  # a dropped stream is settled by a task of this loop
            if seen:
                break
            await asyncio.sleep(0.01)
    (record,) = seen
    assert (record.error, record.cost_source) == ("stream broken off before its end", "reservation")
    assert guard.metrics().reserved_usd == 0.0


WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
OPENED: dict[str, dict[str, Any]] = {
    "compat": {"stream": True},
    "emulated": {"stream": True, "tools": [WEATHER]},
    "native": {},
}


@pytest.mark.parametrize("kind", list(OPENED))
def test_a_stream_dropped_unread_is_settled_when_it_is_freed(
    driver: Driver, local_gateway: LocalGateway, kind: str
) -> None:
    """A stream never iterated never started its watcher, so nothing settled it: its worst case stayed
    reserved (and out of the history) until the reservation expired, 300 s later."""
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    body: dict[str, Any] = {"model": PINNED, "messages": [{"role": "user", "content": "hi"}], **OPENED[kind]}

    async def dropped() -> None:
        async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
            agent = client.with_guard(guard)
            await (agent.gateway.chat_stream(**body) if kind == "native" else agent.chat.completions.create(**body))

    if driver.mode == "async":
        asyncio.run(dropped())
    else:
        with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
            agent = client.with_guard(guard)
            agent.gateway.chat_stream(**body) if kind == "native" else agent.chat.completions.create(**body)
    gc.collect()  # an emulated stream and its generator refer to each other: the collector frees them
    (record,) = history_of(guard, 1)
    assert (record.error, record.cost_source) == ("stream broken off before its end", "reservation")
    used = guard.metrics()
    assert (used.reserved_usd, used.calls, used.cost_usd) == (0.0, 1, record.cost_usd)


@pytest.mark.parametrize("started", [False, True], ids=["unread", "read-in-part"])
def test_a_stream_the_collector_frees_inside_the_stores_lock_is_settled_after_it(
    local_gateway: LocalGateway, started: bool
) -> None:
    """A collection starts at any allocation, even while this thread holds the store's lock; a dropped
    emulated stream it frees was settled inside it, waiting forever for that lock."""
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    body: dict[str, Any] = {"model": PINNED, "messages": [{"role": "user", "content": "hi"}], **OPENED["emulated"]}

    def collect_holding_the_lock() -> None:
        with guard.store._lock:  # type: ignore[attr-defined]
            gc.collect()

    gc.disable()  # no collection but the one under the lock
    try:
        with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
            stream = client.with_guard(guard).chat.completions.create(**body)
            if started:
                next(iter(stream))
            del stream
            collector = threading.Thread(target=collect_holding_the_lock, daemon=True)
            collector.start()
            collector.join(10)
    finally:
        gc.enable()
    assert not collector.is_alive(), "the collection waited for the lock its own thread held"
    (record,) = history_of(guard, 1)
    assert (record.error, record.cost_source) == ("stream broken off before its end", "reservation")
    assert guard.metrics().reserved_usd == 0.0


def test_a_failed_stream_is_released(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    local_gateway.faults.midstream(after=2)
    with pytest.raises(og.ProviderError):
        ask(driver, guard, "stream", stream=True)
    record = guard.history()[-1]
    assert record.error is not None
    assert record.error.startswith("ProviderError")
    assert (record.cost_usd, record.cost_source) == (0.0, "none")
    used = guard.metrics()
    assert (used.cost_usd, used.reserved_usd, used.calls) == (0.0, 0.0, 1)


def test_an_error_the_gateway_did_not_bill_is_released(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    local_gateway.faults.provider_error(401)
    with pytest.raises(og.ProviderError):
        ask(driver, guard, "hi")
    record = guard.history()[-1]
    assert (record.error, record.cost_usd, record.cost_source) == ("HTTP 401", 0.0, "none")
    assert (guard.metrics().cost_usd, guard.metrics().reserved_usd) == (0.0, 0.0)


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_the_native_route_is_guarded(driver: Driver, local_gateway: LocalGateway, stream: bool) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    answer = ask(driver, guard, "routed", routing={"cache": False}, stream=stream, max_tokens=20)
    assert answer.text == DEFAULT_REPLY
    assert sent(local_gateway, "/v1/chat") == 1
    record = guard.history()[-1]
    assert record.route == "native"
    assert record.cost_source == ("reservation" if stream else "gateway")
    if not stream:
        assert Decimal(str(record.cost_usd)) == gateway_spend(local_gateway)


def test_each_sdk_retry_is_guarded(local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    local_gateway.faults.slow(3.0, times=1)  # the first attempt times out before its answer starts: retried
    settings = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key}
    with og.OpenAI(**settings, max_retries=1, timeout=1.0) as client:
        client.with_guard(guard).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    first, second = guard.history()
    assert first.error is not None
    assert first.cost_source == "reservation"  # no answer: the gateway may have billed it
    assert (second.error, second.cost_source) == (None, "gateway")
    assert guard.metrics().calls == 2
    assert guard.metrics().reserved_usd == 0.0


def test_a_cut_answer_is_charged_its_reservation_and_not_re_sent(local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    local_gateway.faults.drop_connection(times=1, path=CHAT)
    settings = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key}
    with og.OpenAI(**settings, max_retries=1) as client, pytest.raises(og.ConnectionError, match="not re-sent"):
        client.with_guard(guard).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    (only,) = guard.history()
    assert only.error is not None
    assert only.cost_source == "reservation"  # the gateway may have billed it
    assert only.cost_usd == guard.metrics().cost_usd > 0
    assert guard.metrics().reserved_usd == 0.0


def test_a_raw_response_is_settled_when_the_call_returns(local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        raw = client.with_guard(guard).chat.completions.with_raw_response.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
        assert og.meta(raw.parse()).cost_usd == guard.history()[-1].cost_usd
    assert guard.history()[-1].cost_source == "gateway"


@pytest.mark.parametrize("read", [True, False], ids=["parsed", "left-unread"])
def test_a_streaming_response_is_settled_at_the_gateways_cost(
    driver: Driver, local_gateway: LocalGateway, read: bool
) -> None:
    """`with_streaming_response` left the body unread when the call returned, so the guard charged the
    worst case (2,479 µ$ for a 6 µ$ call) even when the caller then parsed the answer and its cost."""
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    body: dict[str, Any] = {"model": PINNED, "messages": [{"role": "user", "content": "x"}]}
    settings = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key}
    if driver.mode == "sync":
        with (
            og.OpenAI(**settings) as client,
            client.with_guard(guard).chat.completions.with_streaming_response.create(**body) as response,
        ):
            cost = og.meta(response.parse()).cost_usd if read else None
    else:

        async def streamed() -> float | None:
            async with og.AsyncOpenAI(**settings) as client:
                agent = client.with_guard(guard)
                async with agent.chat.completions.with_streaming_response.create(**body) as response:
                    return og.meta(await response.parse()).cost_usd if read else None

        cost = asyncio.run(streamed())
    record, billed = guard.history()[-1], local_gateway.state.usage[-1]
    assert (record.cost_source, record.error) == ("gateway", None)
    assert Decimal(str(record.cost_usd)) == billed.cost
    assert (record.prompt_tokens, record.completion_tokens) == (billed.prompt_tokens, billed.completion_tokens)
    assert cost in (None, record.cost_usd)
    assert (guard.metrics().cost_usd, guard.metrics().reserved_usd) == (record.cost_usd, 0.0)


def test_a_streamed_response_never_parsed_is_settled_when_it_is_freed(
    driver: Driver, local_gateway: LocalGateway
) -> None:
    """A streamed `with_streaming_response` left unparsed builds no stream, so nothing settled it: its
    worst case stayed reserved until the reservation expired."""
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    body: dict[str, Any] = {"model": PINNED, "messages": [{"role": "user", "content": "x"}], "stream": True}
    settings = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key}
    if driver.mode == "sync":
        with og.OpenAI(**settings) as client:
            with_streaming = client.with_guard(guard).chat.completions.with_streaming_response
            with with_streaming.create(**body):
                pass
    else:

        async def unparsed() -> None:
            async with og.AsyncOpenAI(**settings) as client:
                with_streaming = client.with_guard(guard).chat.completions.with_streaming_response
                async with with_streaming.create(**body):
                    pass

        asyncio.run(unparsed())
    gc.collect()  # httpx's request and response refer to each other: the collector frees them
    (record,) = history_of(guard, 1)
    assert (record.error, record.cost_source) == ("stream broken off before its end", "reservation")
    assert (guard.metrics().reserved_usd, guard.metrics().calls) == (0.0, 1)


# -- loops --------------------------------------------------------------------------------------------


def test_the_same_request_repeated_is_a_loop(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(loops=og.LoopDetection(same_request=3, same_answer=None))
    for _ in range(3):
        ask(driver, guard, "are we there yet?", agent_id="kid")
    with pytest.raises(og.LoopDetectedError, match="sent the same request 4 times") as caught:
        ask(driver, guard, "are we there yet?", agent_id="kid")
    assert (caught.value.kind, caught.value.agent_id, caught.value.count) == ("same_request", "kid", 4)
    assert sent(local_gateway) == 3


def test_the_same_answer_repeated_in_one_conversation_is_a_loop(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(loops=og.LoopDetection(same_answer=3))
    messages: list[dict[str, str]] = []
    for index in range(3):  # an agent loop: each request carries the model's last answer back
        messages.append({"role": "user", "content": f"try {index}"})
        answer = driver.ask(guard, "bot", messages=list(messages))
        messages.append({"role": "assistant", "content": answer.text})
    messages.append({"role": "user", "content": "try again"})
    stuck = "got the same answer 3 times in a row in one conversation"
    with pytest.raises(og.LoopDetectedError, match=stuck) as caught:
        driver.ask(guard, "bot", messages=messages)
    assert caught.value.kind == "same_answer"
    assert sent(local_gateway) == 3
    guard.reset()
    ask(driver, guard, "after a reset")


def test_the_same_answer_to_unrelated_requests_is_no_loop(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard()  # the defaults: the local gateway's model answers every question alike
    answers = {ask(driver, guard, question, agent_id="bot").text for question in ("2+2?", "A colour?", "Paris?", "Hi")}
    assert len(answers) == 1
    assert sent(local_gateway) == 4


def test_two_agents_ping_ponging_is_a_loop(driver: Driver, local_gateway: LocalGateway) -> None:
    guard = og.Guard(loops=og.LoopDetection(same_answer=None, ping_pong=2))
    said = "over to you"
    for _ in range(2):  # each agent is handed the other's answer
        said = ask(driver, guard, said, agent_id="alice").text
        said = ask(driver, guard, said, agent_id="bob").text
    with pytest.raises(og.LoopDetectedError, match="answered each other the same way 2 times") as caught:
        ask(driver, guard, said, agent_id="alice")
    assert caught.value.kind == "ping_pong"
    assert sent(local_gateway) == 4


def test_agents_taking_turns_on_unrelated_requests_are_not_ping_ponging(
    driver: Driver, local_gateway: LocalGateway
) -> None:
    guard = og.Guard()  # the defaults; the local gateway's model answers both agents alike
    for index in range(4):
        ask(driver, guard, f"draft {index}", agent_id="writer")
        ask(driver, guard, f"review {index}", agent_id="critic")
    assert sent(local_gateway) == 8


def test_a_loop_hook_decides(driver: Driver, local_gateway: LocalGateway) -> None:
    seen: list[og.LoopEvent] = []

    def allow_once(event: og.LoopEvent) -> bool:
        seen.append(event)
        return len(seen) == 1

    guard = og.Guard(loops=og.LoopDetection(same_request=1, same_answer=None, on_loop=allow_once))
    ask(driver, guard, "again")
    ask(driver, guard, "again")  # the hook lets it go
    with pytest.raises(og.LoopDetectedError):
        ask(driver, guard, "again")
    assert [event.kind for event in seen] == ["same_request", "same_request"]
    assert sent(local_gateway) == 2


# -- tools and hooks ----------------------------------------------------------------------------------

TOOLS = [
    {"type": "function", "function": {"name": "search_web", "parameters": {"type": "object", "properties": {}}}},
    {"type": "function", "function": {"name": "delete_database", "parameters": {"type": "object", "properties": {}}}},
]


def test_a_denied_tool_offered_is_refused_before_sending(local_gateway: LocalGateway) -> None:
    driver = Driver("sync", local_gateway, {"allow_ignored_fields": True})  # the gateway ignores `tools`
    access = {"researcher": og.ToolAccess(allow=["search_*"], default="deny"), "*": og.ToolAccess(deny=["*"])}
    guard = og.Guard(tool_access=access, loops=QUIET)
    with pytest.raises(og.ToolAccessDeniedError, match="'delete_database' was offered") as caught:
        ask(driver, guard, "clean up", agent_id="researcher", tools=TOOLS)
    assert (caught.value.tool, caught.value.agent_id, caught.value.where) == (
        "delete_database",
        "researcher",
        "offered",
    )
    ask(driver, guard, "look it up", agent_id="researcher", tools=TOOLS[:1])
    with pytest.raises(og.ToolAccessDeniedError, match="'search_web'"):
        ask(driver, guard, "look it up", agent_id="intern", tools=TOOLS[:1])
    assert sent(local_gateway) == 1


def test_tool_access_patterns() -> None:
    access = og.ToolAccess(allow=["search_*", "read_file"], deny=["search_private*"], default="deny")
    assert [access.allows(name) for name in ("search_web", "search_private_notes", "read_file", "rm")] == [
        True,
        False,
        True,
        False,
    ]
    with pytest.raises(ValueError, match="default='allow' or 'deny'"):
        og.ToolAccess(default="maybe")  # type: ignore[arg-type]


def test_a_before_hook_vetoes_and_an_after_hook_sees_the_record(driver: Driver, local_gateway: LocalGateway) -> None:
    records: list[og.CallRecord] = []

    def no_big_models(info: og.CallInfo) -> str | None:
        return "gpt-4o is over budget for drafts" if info.model == "gpt-4o" else None

    guard = og.Guard(before_call=no_big_models, after_call=records.append, loops=QUIET)
    with pytest.raises(og.CallVetoedError, match="gpt-4o is over budget for drafts") as caught:
        ask(driver, guard, "draft", model="gpt-4o")
    assert caught.value.reason == "gpt-4o is over budget for drafts"
    assert sent(local_gateway) == 0
    ask(driver, guard, "draft")
    assert [record.model for record in records] == ["gpt-4o-mini"]
    assert records[0].cost_source == "gateway"


def test_async_hooks_are_awaited(local_gateway: LocalGateway) -> None:
    seen: list[str] = []

    async def before(info: og.CallInfo) -> bool:
        await asyncio.sleep(0)
        seen.append(f"before {info.agent_id}")
        return info.agent_id != "blocked"

    async def after(record: og.CallRecord) -> None:
        seen.append(f"after {record.agent_id}")

    guard = og.Guard(before_call=before, after_call=after, loops=QUIET)
    driver = Driver("async", local_gateway, {})
    ask(driver, guard, "hi", agent_id="ok")
    with pytest.raises(og.CallVetoedError, match="returned False"):
        ask(driver, guard, "hi", agent_id="blocked")
    assert seen == ["before ok", "after ok", "before blocked"]
    with pytest.raises(og.ConfigurationError, match=r"before_call=\.\.\.\) is async"):
        Driver("sync", local_gateway, {}).ask(guard, "ok")
    assert sent(local_gateway) == 1


def test_a_hook_that_raises_vetoes_without_a_retry(local_gateway: LocalGateway) -> None:
    def broken(info: og.CallInfo) -> None:
        raise KeyError(info.model)

    guard = og.Guard(before_call=broken, loops=QUIET)
    client = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=2)
    with client, pytest.raises(og.CallVetoedError, match="The before_call hook raised KeyError: 'gpt-4o-mini'"):
        client.with_guard(guard).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    assert sent(local_gateway) == 0
    assert len(guard.history()) == 1


# -- the surface --------------------------------------------------------------------------------------


def test_history_metrics_and_reset(driver: Driver) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0, max_calls=10), loops=QUIET, history_size=2)
    for index in range(3):
        ask(driver, guard, f"q{index}", agent_id="a" if index else "b")
    assert [record.request_summary for record in guard.history()] == ["q1", "q2"]  # bounded
    assert [record.request_summary for record in guard.history(agent_id="a", limit=1)] == ["q2"]
    assert guard.history(limit=0) == []
    for wrong in (-1, 1.5, True, "2"):
        with pytest.raises(
            ValueError, match=rf"Expected history\(limit=\.\.\.\) to be an int >= 0 or None, got {wrong!r}"
        ):
            guard.history(limit=wrong)  # type: ignore[arg-type]
    record = guard.history()[-1]
    assert (record.model, record.provider, record.route, record.prompt_tokens) == ("gpt-4o-mini", "openai", "compat", 8)
    assert record.response_id
    assert record.latency_ms > 0
    assert record.timestamp.tzinfo is not None
    metrics = guard.metrics()
    assert (metrics.calls, metrics.remaining["max_calls"]) == (3, 7.0)
    assert guard.metrics(agent_id="a").calls == 2
    guard.reset()
    assert (guard.metrics().calls, guard.history()) == (0, [])


def test_with_guard_copies_keep_it_and_none_removes_it(local_gateway: LocalGateway) -> None:
    guard = og.Guard(loops=QUIET)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        agent = client.with_guard(guard, agent_id="a").with_user("u1").with_options(timeout=5.0)
        agent.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
        agent.with_guard(None).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "y"}])
    assert [(record.agent_id, record.user_id) for record in guard.history()] == [("a", "u1")]
    with pytest.raises(TypeError, match="Expected with_guard"):
        client.with_guard("budget")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="agent_id"):
        client.with_guard(guard, agent_id="")


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"name": "a|b"}, "guard name"),
        ({"warn_at": 0}, "warn_at"),
        ({"unpriced_model": "free"}, "unpriced_model"),
        ({"store": "memcached://x"}, "redis:// URL"),
    ],
)
def test_bad_settings_are_refused(options: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        og.Guard(**options)
    with pytest.raises(ValueError, match=r"Limits\(max_calls=...\) to be a whole number >= 0"):
        og.Limits(max_calls=-1)


NO_LIMIT_VALUES = [  # a limit no guard can keep, and how it is shown; None is the way to say "no limit"
    (float("inf"), "inf"),
    (float("-inf"), "-inf"),
    (float("nan"), "nan"),
    (-0.5, "-0.5"),
    (True, "True"),
    ("1", "'1'"),
    (10**400, "1" + "0" * 400),
]


@pytest.mark.parametrize("field", ["max_usd", "max_seconds", "max_tokens", "max_calls", "max_tool_calls"])
def test_a_limit_that_is_no_finite_amount_is_refused_naming_the_field(field: str) -> None:
    """`Limits(max_usd=inf)` (or NaN) was taken, then failed the first guarded call with an untyped
    OverflowError (ValueError for NaN); a count of 2.5 was cut to 2 unseen."""
    kind = "a finite number" if field in ("max_usd", "max_seconds") else "a whole number"
    bad = NO_LIMIT_VALUES if kind == "a finite number" else [*NO_LIMIT_VALUES, (2.5, "2.5")]
    for value, shown in bad:
        with pytest.raises(ValueError, match=field) as caught:
            og.Limits(**{field: value})
        assert str(caught.value) == f"Expected Limits({field}=...) to be {kind} >= 0, or None for no limit; got {shown}"
    assert getattr(og.Limits(**{field: None}), field) is None
    assert getattr(og.Limits(**{field: 0}), field) == 0


@pytest.mark.parametrize(
    "price", [(float("inf"), 0.01), (0.01, float("nan")), (True, 0.01), (-0.01, 0.01), ("0.01", 0.01), (0.01,)]
)
def test_a_stated_price_that_is_no_finite_amount_is_refused(price: tuple[Any, ...]) -> None:
    """`unpriced_model=(inf, ...)` was taken and failed the first reservation with an OverflowError; a string, a
    TypeError from the comparison."""
    with pytest.raises(ValueError, match="unpriced_model") as caught:
        og.Guard(unpriced_model=price)  # type: ignore[arg-type]
    expected = "unpriced_model='refuse' or (usd_per_1k_prompt, usd_per_1k_completion), finite amounts >= 0"
    assert str(caught.value) == f"Expected {expected}, got {price!r}"
