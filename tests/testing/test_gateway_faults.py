"""The local gateway answers bad bodies and slow streams as the real server does, and stops quietly."""

from __future__ import annotations

import logging
import threading
import time

import openai
import pytest

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

HELLO = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"model": "gpt-4o-mini", "max_tokens": ' + b"9" * 5_000 + b"}"],
    ids=["nested 100,000 deep", "an integer of 5,000 digits"],
)
def test_a_body_python_cannot_parse_is_a_400_not_a_500(local_gateway: LocalGateway, body: bytes) -> None:
    answer = httpx.post(
        f"{local_gateway.base_url}/chat/completions",
        content=body,
        headers={"x-api-key": local_gateway.api_key, "content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.json() == {"detail": "There was an error parsing the body"}


def test_a_slow_provider_fails_a_stream_with_the_gateways_502() -> None:
    with LocalGateway(provider_timeout=0.2) as gw, og.OpenAI(base_url=gw.base_url, api_key=gw.api_key) as client:
        gw.faults.slow(0.3)
        stream = client.chat.completions.create(**HELLO, stream=True)  # type: ignore[call-overload]
        with pytest.raises(og.ProviderError, match="OpenAI request failed: timed out") as caught, stream:
            for _chunk in stream:
                pass
    assert caught.value.status_code == 502
    assert isinstance(caught.value, openai.InternalServerError)


def test_stopping_with_a_request_in_flight_logs_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    gw = LocalGateway()
    gw.start()
    gw.faults.slow(5.0)
    client = og.OpenAI(base_url=gw.base_url, api_key=gw.api_key, max_retries=0)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            client.chat.completions.create(**HELLO)  # type: ignore[call-overload]
        except og.GatewayError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 10
    while not any(c.path == "/v1/chat/completions" for c in gw.calls) and time.monotonic() < deadline:
        time.sleep(0.01)
    gw.stop()
    caller.join(10)
    client.close()
    assert outcome, "the call in flight should have failed when the gateway stopped"
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
