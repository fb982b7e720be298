"""The fault matrix: every fault x sync/async x non-stream / SSE stream / native stream.

Each cell is a typed error (its exact class, its `openai` class and the useful part of its message)
or a success, within the time the README's "What bounds a call" promises for the client's settings:
the deadline, or for a `[DONE]` drain its own bound. A hang fails the cell by its bound (the test's
`timeout` marker is the backstop); a result that is neither the expected answer nor a typed error
fails it too. Every error raised also pickles, without the key, and masks the key in its request's
repr. The faults come from `tests/_hostile.py`, a raw server on loopback.
"""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import FAULTS, HostileServer, hostile_server
from omnigate_openai._streaming import DRAIN_SECONDS

KEY = fake_key("llmg_", "matrix-canary-0123456789abcdef")
DEADLINE = 2.0
TIMEOUT = 0.4
SLACK = 1.0
"""What the loaded test machine may add to a bound (scheduling, not the client)."""
MESSAGES = [{"role": "user", "content": "hi"}]

Ok = None
Expect = tuple[tuple[type[BaseException], ...], str] | None
"""(the classes the error must be, a fragment of its message), or None for a success."""

CUT_STREAM = "ended before its end marker"
DEADLINE_PASSED = f"deadline of {DEADLINE:g} s passed"
TIMED_OUT = "timed out"
CONNECTION = (og.ConnectionError, openai.APIConnectionError)
TIMEOUT_ERROR = (og.ConnectionError, openai.APITimeoutError)
INVALID = (og.InvalidResponseError, openai.APIResponseValidationError)
PROVIDER_500 = (og.ProviderError, openai.InternalServerError)

# fault -> (non-stream, SSE stream, native stream)
EXPECTED: dict[str, tuple[Expect, Expect, Expect]] = {
    "ok": (Ok, Ok, Ok),
    "cut_mid_body": (
        (CONNECTION, "was cut after 20 bytes of its body; not re-sent, because the gateway may already have billed"),
        (CONNECTION, CUT_STREAM),
        (CONNECTION, CUT_STREAM),
    ),
    "endless": ((TIMEOUT_ERROR, DEADLINE_PASSED),) * 3,
    "heartbeats_after_done": (Ok, Ok, Ok),
    "stall_after_done": (Ok, Ok, Ok),
    "stall_before_headers": ((TIMEOUT_ERROR, TIMED_OUT),) * 3,
    "stall_mid_body": (
        (TIMEOUT_ERROR, "stopped sending (read timeout)"),
        (TIMEOUT_ERROR, "stream timed out"),
        (TIMEOUT_ERROR, "stream timed out"),
    ),
    "reset_before_answer": ((CONNECTION, "Could not reach the gateway"),) * 3,
    "html_200": (
        (INVALID, "HTTP 200 with text/html instead of JSON: '<html><body>Welcome to the proxy"),
        (INVALID, "text/html instead of a text/event-stream stream"),
        (INVALID, "text/html instead of a text/plain stream"),
    ),
    "invalid_json_200": (
        (INVALID, "HTTP 200 with invalid JSON"),
        (INVALID, "application/json instead of a text/event-stream stream"),
        (INVALID, "application/json instead of a text/plain stream"),
    ),
    "error_json_200": ((PROVIDER_500, "OpenAI error 500: upstream exploded"),) * 3,
    "cut_error_body": ((CONNECTION, "(HTTP 500) was cut after"),) * 3,
    "bad_utf8": (
        (INVALID, "invalid JSON"),
        (INVALID, "not valid UTF-8"),
        (INVALID, "native stream is not valid UTF-8"),
    ),
    "close_delimited": (Ok, (CONNECTION, CUT_STREAM), Ok),
    "long_retry_after": (((og.RateLimitError, openai.RateLimitError), "Rate limit exceeded"),) * 3,
    "redirect_same_origin": (Ok, Ok, Ok),
    "redirect_other_origin": (((og.RedirectRefusedError, openai.APIStatusError), "another origin"),) * 3,
}
MODES = ("non-stream", "sse", "native")
BOUND: dict[str, float] = {"heartbeats_after_done": DRAIN_SECONDS, "stall_after_done": DRAIN_SECONDS}
"""A cell's time bound when it is not the deadline."""


def test_the_matrix_covers_every_fault_of_the_server() -> None:
    assert set(EXPECTED) == set(FAULTS)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[HostileServer, HostileServer]]:
    with hostile_server() as pair:
        for mode in MODES:  # the first calls import and build what later calls reuse: not the client's time
            for flavour in ("sync", "async"):
                _run(pair[0], "ok", mode, flavour)
        yield pair


def _options(server: HostileServer, fault: str) -> dict[str, Any]:
    return {
        "base_url": f"{server.url}/{fault}",
        "api_key": KEY,
        "deadline": DEADLINE,
        "timeout": TIMEOUT,
        "max_retries": 1,
        "max_retry_wait": 0.2,
    }


def _sync_call(client: og.OpenAI, mode: str) -> tuple[str, og.GatewayMeta | None]:
    if mode == "non-stream":
        completion = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        return completion.choices[0].message.content or "", None
    if mode == "sse":
        stream = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        with stream:
            return "".join(c.choices[0].delta.content or "" for c in stream if c.choices), og.meta(stream)
    native = client.gateway.chat_stream(model="gpt-4o-mini", messages=MESSAGES)
    with native:
        return "".join(native.text()), og.meta(native)


async def _async_call(client: og.AsyncOpenAI, mode: str) -> tuple[str, og.GatewayMeta | None]:
    if mode == "non-stream":
        completion = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)  # type: ignore[arg-type]
        return completion.choices[0].message.content or "", None
    if mode == "sse":
        stream = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True)  # type: ignore[arg-type]
        async with stream:
            return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices]), og.meta(stream)
    native = await client.gateway.chat_stream(model="gpt-4o-mini", messages=MESSAGES)
    async with native:
        return "".join([piece async for piece in native.text()]), og.meta(native)


def _run(server: HostileServer, fault: str, mode: str, flavour: str) -> tuple[Any, float]:
    started = time.monotonic()
    try:
        if flavour == "sync":
            with og.OpenAI(**_options(server, fault)) as client:
                result: Any = _sync_call(client, mode)
        else:

            async def call() -> Any:
                async with og.AsyncOpenAI(**_options(server, fault)) as client:
                    return await _async_call(client, mode)

            result = asyncio.run(call())
    except Exception as exc:  # the cell's outcome, checked below
        result = exc
    return result, time.monotonic() - started


@pytest.mark.timeout(30)
@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(EXPECTED))
def test_fault_cell(servers: tuple[HostileServer, HostileServer], fault: str, mode: str, flavour: str) -> None:
    server, canary = servers
    expected = EXPECTED[fault][MODES.index(mode)]
    outcome, elapsed = _run(server, fault, mode, flavour)

    assert elapsed < BOUND.get(fault, DEADLINE) + SLACK, f"{fault}/{mode}/{flavour} took {elapsed:.2f} s"
    if expected is None:
        assert not isinstance(outcome, BaseException), f"{fault}/{mode}: {outcome!r}"
        text, found = outcome
        assert text == ("hi there" if mode == "native" else "hi")
        if mode == "native":
            assert found is not None
            assert found.end_confirmed is (fault != "close_delimited")
    else:
        classes, fragment = expected
        assert isinstance(outcome, classes), f"{fault}/{mode}/{flavour}: {outcome!r}"
        assert isinstance(outcome, og.GatewayError)
        assert fragment in str(outcome), str(outcome)
        _assert_keeps_the_key(outcome)
    assert not canary.requests, "a request reached another origin"


def _assert_keeps_the_key(error: BaseException) -> None:
    assert KEY not in str(error)
    assert KEY not in repr(error)
    request = getattr(error, "request", None)
    if request is not None:
        assert KEY not in repr(request.headers)
        assert request.headers["x-api-key"] == KEY  # masked in the repr, not in what is sent
    pickled = pickle.dumps(error)
    assert KEY.encode() not in pickled
    restored = pickle.loads(pickled)
    assert type(restored) is type(error)
    assert str(restored) == str(error)
