"""`RateLimitError.retry_after` is the wait the SDK reads from the headers, on both gateways' clients, and the
retry decision uses the same reading (`_retry_after.py`): `retry-after-ms` first, then `Retry-After` as seconds,
then as an HTTP-date; what can be no wait (`nan`, `inf`, `-1`) is None and the retry gets the SDK's backoff."""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server
from omnigate_openai import flow

KEY = fake_key("llmg_", "retry-after-0123456789abcdef")
MESSAGES: Any = [{"role": "user", "content": "hi"}]
LARGEST = sys.float_info.max


@dataclass(frozen=True)
class Answer:
    headers: dict[str, str]
    retry_after: float | None
    """What the error's `retry_after` must be."""
    attempts: int
    """Calls made with `max_retries=1` and `max_retry_wait=0.05`: 2 when the wait fits or is read as missing."""


ANSWERS = [
    Answer({"retry-after": "nan"}, None, 2),
    Answer({"retry-after": "NaN"}, None, 2),
    Answer({"retry-after": "inf"}, None, 2),
    Answer({"retry-after": "-inf"}, None, 2),
    Answer({"retry-after": "-1"}, None, 2),
    Answer({"retry-after": "soon"}, None, 2),
    Answer({"retry-after": "0.01"}, 0.01, 2),
    # A real, long wait: kept for the caller as the server said it, not waited for.
    Answer({"retry-after": "1e300"}, 1e300, 1),
    # A number too large for a float is a long wait too (not an `inf`), under both openai majors.
    Answer({"retry-after": "1e999"}, LARGEST, 1),
    Answer({"retry-after-ms": "10"}, 0.01, 2),
    Answer({"retry-after-ms": "100000"}, 100.0, 1),
    Answer({"retry-after-ms": "1e999"}, LARGEST, 1),
    Answer({"retry-after-ms": "10", "retry-after": "100"}, 0.01, 2),  # the SDK prefers the milliseconds
    Answer({"retry-after-ms": "soon", "retry-after": "0.01"}, 0.01, 2),  # ... when they are a number
    Answer({"retry-after-ms": "nan", "retry-after": "100"}, None, 2),  # a number, but no wait
]

CLIENTS = ["omnigate-sync", "omnigate-async", "flow-sync", "flow-async"]


def _ask(client_kind: str, base_url: str) -> None:
    gateway, mode = client_kind.split("-")
    options: dict[str, Any] = {"base_url": base_url, "max_retries": 1, "max_retry_wait": 0.05}
    if gateway == "flow":
        classes: tuple[Any, Any] = (flow.OpenAI, flow.AsyncOpenAI)
        options["auth_token"] = "t"
        model = "openai/gpt-4o-mini"
    else:
        classes = (og.OpenAI, og.AsyncOpenAI)
        options["api_key"] = KEY
        model = "gpt-4o-mini"
    if mode == "sync":
        with classes[0](**options) as client:
            client.chat.completions.create(model=model, messages=MESSAGES)
        return

    async def call() -> None:
        async with classes[1](**options) as client:
            await client.chat.completions.create(model=model, messages=MESSAGES)

    asyncio.run(call())


def _rate_limited(client_kind: str, headers: dict[str, str]) -> tuple[og.RateLimitError, int]:
    """The error a call got from a 429 with these headers, and how many calls were made."""
    with hostile_server() as (server, _), pytest.raises(og.RateLimitError) as caught:
        _ask(client_kind, f"{server.url}/rate_limited_with/{urlencode(headers)}")
    assert isinstance(caught.value, openai.RateLimitError)
    for name, value in headers.items():
        assert caught.value.response.headers[name] == value
    return caught.value, len([seen for seen in server.requests if seen.path.endswith("/chat/completions")])


@pytest.mark.parametrize("client_kind", CLIENTS)
@pytest.mark.parametrize("answer", ANSWERS, ids=lambda answer: urlencode(answer.headers))
def test_retry_after_is_the_wait_the_sdk_reads(answer: Answer, client_kind: str) -> None:
    error, attempts = _rate_limited(client_kind, answer.headers)
    assert error.retry_after == answer.retry_after
    assert attempts == answer.attempts


@pytest.mark.parametrize("client_kind", CLIENTS)
def test_an_http_date_is_the_seconds_until_then(client_kind: str) -> None:
    error, attempts = _rate_limited(client_kind, {"retry-after": formatdate(time.time() + 30, usegmt=True)})
    assert error.retry_after == pytest.approx(30, abs=2)  # the date is in whole seconds
    assert attempts == 1  # past `max_retry_wait`


@pytest.mark.parametrize("client_kind", CLIENTS)
def test_an_http_date_in_the_past_is_no_wait_at_all(client_kind: str) -> None:
    error, attempts = _rate_limited(client_kind, {"retry-after": formatdate(time.time() - 30, usegmt=True)})
    assert error.retry_after == 0.0
    assert attempts == 2


@pytest.mark.parametrize("client_kind", CLIENTS)
def test_the_last_http_date_there_is_a_long_wait(client_kind: str) -> None:
    error, attempts = _rate_limited(client_kind, {"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"})
    assert error.retry_after == pytest.approx(253402300799 - time.time(), abs=5)
    assert attempts == 1
