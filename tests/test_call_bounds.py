"""What bounds a call (README, "What bounds a call"): the deadline, and the cap on waiting to retry."""

from __future__ import annotations

import time
from collections.abc import Iterator

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import HostileServer, hostile_server
from omnigate_openai._bounds import CallBounds, CallClock

KEY = fake_key("llmg_", "bounds-0123456789abcdef")
HELLO = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
SLACK = 1.0


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with hostile_server() as (hostile, _canary):
        with og.OpenAI(base_url=f"{hostile.url}/ok", api_key=KEY) as warm:  # first-call imports: not the client's time
            warm.chat.completions.create(**HELLO)  # type: ignore[call-overload]
        yield hostile


def test_the_deadline_bounds_the_retries_of_a_gateway_that_never_answers(server: HostileServer) -> None:
    # Without a deadline: 11 attempts x 0.4 s. With one, the call ends at the deadline.
    options = {"api_key": KEY, "timeout": 0.4, "max_retries": 10, "deadline": 1.0}
    started = time.monotonic()
    with (
        og.OpenAI(base_url=f"{server.url}/stall_before_headers", **options) as client,  # type: ignore[arg-type]
        pytest.raises(og.ConnectionError) as caught,
    ):
        client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert time.monotonic() - started < 1.0 + SLACK
    assert isinstance(caught.value, openai.APITimeoutError)


@pytest.mark.parametrize("max_retries", [0, 2])
def test_a_deadline_that_passes_before_the_headers_says_so(server: HostileServer, max_retries: int) -> None:
    """The last attempt's timeout is cut to the deadline: when it fires, the call says its deadline passed (it said
    "The request to the gateway timed out" when no retry was left to find the clock run out)."""
    options = {"api_key": KEY, "max_retries": max_retries, "deadline": 0.5}
    with (
        og.OpenAI(base_url=f"{server.url}/stall_before_headers", **options) as client,  # type: ignore[arg-type]
        pytest.raises(og.ConnectionError) as caught,
    ):
        client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert str(caught.value) == "The call's deadline of 0.5 s passed before the gateway's answer was complete"
    assert isinstance(caught.value, openai.APITimeoutError)


async def test_an_async_deadline_that_passes_before_the_headers_says_so(server: HostileServer) -> None:
    options = {"api_key": KEY, "max_retries": 0, "deadline": 0.5}
    async with og.AsyncOpenAI(base_url=f"{server.url}/stall_before_headers", **options) as client:  # type: ignore[arg-type]
        with pytest.raises(og.ConnectionError) as caught:
            await client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert str(caught.value) == "The call's deadline of 0.5 s passed before the gateway's answer was complete"
    assert isinstance(caught.value, openai.APITimeoutError)


def test_a_timeout_before_the_deadline_is_a_timeout(server: HostileServer) -> None:
    """The call's own `timeout` fired well before its deadline: that is what the error says."""
    options = {"api_key": KEY, "max_retries": 0, "deadline": 30.0, "timeout": 0.3}
    with (
        og.OpenAI(base_url=f"{server.url}/stall_before_headers", **options) as client,  # type: ignore[arg-type]
        pytest.raises(og.ConnectionError, match=r"^The request to the gateway timed out") as caught,
    ):
        client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert isinstance(caught.value, openai.APITimeoutError)


def test_a_per_call_deadline_by_with_options(server: HostileServer) -> None:
    started = time.monotonic()
    with og.OpenAI(base_url=f"{server.url}/endless", api_key=KEY) as client:
        assert client.with_options(deadline=0.5).with_user("u")._bounds.deadline == 0.5
        with pytest.raises(og.ConnectionError, match=r"deadline of 0\.5 s passed") as caught:
            client.with_options(deadline=0.5).chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert isinstance(caught.value, openai.APITimeoutError)
    assert time.monotonic() - started < 0.5 + SLACK


async def test_an_async_stream_that_never_ends_meets_its_deadline(server: HostileServer) -> None:
    started = time.monotonic()
    async with og.AsyncOpenAI(base_url=f"{server.url}/endless", api_key=KEY, deadline=0.5) as client:
        stream = await client.chat.completions.create(**HELLO, stream=True)  # type: ignore[call-overload]
        with pytest.raises(og.ConnectionError, match=r"deadline of 0\.5 s passed") as caught:
            async for _chunk in stream:
                pass
    assert isinstance(caught.value, openai.APITimeoutError)
    assert time.monotonic() - started < 0.5 + SLACK


def test_a_retry_after_beyond_the_retry_wait_is_not_waited_for(server: HostileServer) -> None:
    started = time.monotonic()
    with (
        og.OpenAI(base_url=f"{server.url}/long_retry_after", api_key=KEY, max_retries=2) as client,
        pytest.raises(og.RateLimitError) as caught,
    ):
        client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
    assert caught.value.retry_after == 100
    assert time.monotonic() - started < SLACK  # the SDK alone waits up to 60 s (3.x) or 120 s (2.x), twice
    assert sum(seen.path.endswith("/chat/completions") for seen in server.requests) >= 1


def test_the_clock_cuts_waits_to_the_budget_and_the_deadline() -> None:
    clock = CallClock(CallBounds(max_retry_wait=1.0))
    assert clock.may_wait(0.9)
    assert not clock.may_wait(1.5)
    assert clock.spend_wait(0.75) == 0.75
    assert clock.spend_wait(0.75) == 0.25  # what is left of the budget
    assert clock.spend_wait(0.5) == 0.0
    timed = CallClock(CallBounds(deadline=0.2, max_retry_wait=10.0))
    assert timed.spend_wait(5.0) <= 0.2
    assert not timed.may_wait(0.5)
