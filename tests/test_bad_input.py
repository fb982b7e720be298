"""Bad input -> a typed error before sending, naming the argument: one row per argument.

Before, these were `httpx.InvalidURL`, a bare `UnicodeEncodeError`, an `AssertionError` (openai 2.x),
"Could not reach the gateway" after the attempt, or a request sent somewhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import omnigate_openai as og
from _fakes import fake_key
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

KEY = fake_key("llmg_", "bad-input-0123456789abcdef")
HELLO: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


def _new(**options: Any) -> Callable[[LocalGateway], object]:
    return lambda gw: og.OpenAI(**{"base_url": gw.base_url, "api_key": KEY, **options})


def _call(**call_options: Any) -> Callable[[LocalGateway], object]:
    def call(gw: LocalGateway) -> object:
        with og.OpenAI(base_url=gw.base_url, api_key=gw.api_key, max_retries=0) as client:
            return client.chat.completions.create(**HELLO, **call_options)

    return call


def _with_options(**options: Any) -> Callable[[LocalGateway], object]:
    def copy(gw: LocalGateway) -> object:
        with og.OpenAI(base_url=gw.base_url, api_key=gw.api_key) as client:
            return client.with_options(**options)

    return copy


def _model(model_id: str) -> Callable[[LocalGateway], object]:
    def fetch(gw: LocalGateway) -> object:
        with og.OpenAI(base_url=gw.base_url, api_key=gw.api_key, max_retries=0) as client:
            return client.gateway.model(model_id)

    return fetch


ROWS: list[tuple[str, Callable[[LocalGateway], object], type[Exception], str]] = [
    (
        "base_url port",
        lambda _gw: og.OpenAI(base_url="http://127.0.0.1:99999", api_key=KEY),
        og.ConfigurationError,
        "`base_url` has an invalid port",
    ),
    (
        "base_url CR/LF",
        lambda gw: og.OpenAI(base_url=gw.base_url + "\r\nx-evil: 1", api_key=KEY),
        og.ConfigurationError,
        "`base_url` contains a line break",
    ),
    (
        "base_url non-ASCII",
        lambda _gw: og.OpenAI(base_url="http://gätewäy.example", api_key=KEY),
        og.ConfigurationError,
        "`base_url` must be printable ASCII",
    ),
    (
        "api_key lone surrogate",
        lambda gw: og.OpenAI(base_url=gw.base_url, api_key="llmg_\ud800"),
        og.ConfigurationError,
        "`api_key` must be printable ASCII",
    ),
    ("admin_key non-ASCII", _new(admin_key="clé-admin"), og.ConfigurationError, "`admin_key` must be printable ASCII"),
    ("user_id non-ASCII", _new(user_id="josé"), og.ConfigurationError, "`user_id` must be printable ASCII"),
    (
        "default_headers value",
        _new(default_headers={"x-team": "café"}),
        og.ConfigurationError,
        "header x-team in `default_headers`",
    ),
    (
        "extra_headers lone surrogate",
        _call(extra_headers={"x-team": "\ud800"}),
        og.ConfigurationError,
        "header x-team in `extra_headers`",
    ),
    ("max_retries=-1", _new(max_retries=-1), og.ConfigurationError, "`max_retries`"),
    ("with_options max_retries=-1", _with_options(max_retries=-1), og.ConfigurationError, "`max_retries`"),
    ("timeout text", _new(timeout="3"), og.ConfigurationError, "Expected `timeout` to be a number of seconds"),
    ("timeout=0", _new(timeout=0), og.ConfigurationError, "Expected `timeout` above 0 seconds"),
    ("timeout=-1 per call", _call(timeout=-1), og.ConfigurationError, "Expected `timeout` above 0 seconds"),
    ("timeout=0 per call", _call(timeout=0), og.ConfigurationError, "may have billed"),
    ("httpx.Timeout part", _new(timeout=httpx.Timeout(5.0, connect=0)), og.ConfigurationError, "`timeout.connect`"),
    ("deadline=0", _new(deadline=0), og.ConfigurationError, "Expected `deadline` to be above 0"),
    ("max_retry_wait=-1", _new(max_retry_wait=-1), og.ConfigurationError, "`max_retry_wait` to be at least 0"),
    ("model_id ../me", _model("../me"), ValueError, "`model_id` may not have an empty, `.` or `..` part"),
    ("model_id empty", _model(""), ValueError, "`model_id` to be a non-empty string"),
]


@pytest.mark.parametrize(("argument", "act", "error", "fragment"), ROWS, ids=[row[0] for row in ROWS])
def test_bad_input_is_refused_before_sending(
    local_gateway: LocalGateway,
    argument: str,
    act: Callable[[LocalGateway], object],
    error: type[Exception],
    fragment: str,
) -> None:
    sent_before = [call.path for call in local_gateway.calls]
    with pytest.raises(error) as caught:
        act(local_gateway)
    assert type(caught.value) is error or (error is ValueError and type(caught.value) is ValueError)
    assert fragment in str(caught.value)
    if error is og.ConfigurationError:
        assert isinstance(caught.value, ValueError)
    sent = [call.path for call in local_gateway.calls][len(sent_before) :]
    assert sent in ([], ["/v1/models"]), f"{argument}: sent {sent}"  # at most the client's price list
