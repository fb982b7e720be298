"""A `Retry-After` that is no wait (`nan`, `inf`, `-1`, `1e999`): `retry_after` is None and the retry
decision treats the header as missing, on both gateways' clients (`_retry_after.py`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server
from omnigate_openai import flow
from omnigate_openai._sdk import OPENAI_MAJOR

KEY = fake_key("llmg_", "retry-after-0123456789abcdef")
MESSAGES: Any = [{"role": "user", "content": "hi"}]


@dataclass(frozen=True)
class Header:
    value: str
    retry_after: float | None
    """What the error's `retry_after` must be."""
    attempts: int
    """Calls made with `max_retries=1`: 2 when the header is read as missing (the SDK's backoff)."""


HEADERS = [
    Header("nan", None, 2),
    Header("NaN", None, 2),
    Header("inf", None, 2),
    Header("-inf", None, 2),
    Header("-1", None, 2),
    # A number too large for a float: openai 3.x reads it as an excessive wait and does not retry.
    Header("1e999", None, 1 if OPENAI_MAJOR >= 3 else 2),
    Header("1e300", 1e300, 1),  # a real, long wait: kept for the caller, not waited for
    Header("0.01", 0.01, 2),
    Header("soon", None, 2),
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


@pytest.mark.parametrize("client_kind", CLIENTS)
@pytest.mark.parametrize("header", HEADERS, ids=lambda header: header.value)
def test_a_retry_after_that_is_no_wait_reads_as_none(header: Header, client_kind: str) -> None:
    with hostile_server() as (server, _), pytest.raises(og.RateLimitError) as caught:
        _ask(client_kind, f"{server.url}/retry_after_as_given/{header.value}")
    assert isinstance(caught.value, openai.RateLimitError)
    assert caught.value.response.headers["retry-after"] == header.value
    assert caught.value.retry_after == header.retry_after
    calls = [seen for seen in server.requests if seen.path.endswith("/chat/completions")]
    assert len(calls) == header.attempts
