"""Streams on the Flow gateway: retried when the connection failed before an answer, never once bytes flowed."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from omnigate_openai import flow
from omnigate_openai.testing import LocalFlowGateway

HELLO: dict[str, Any] = {"model": "mistral/mistral-large-latest", "messages": [{"role": "user", "content": "Hi"}]}
CHAT = "/api/v1/gateway/v1/chat/completions"


def _client(gateway: LocalFlowGateway, **kwargs: Any) -> flow.OpenAI:
    return flow.OpenAI(base_url=gateway.base_url, auth_token=gateway.auth_token, **kwargs)


def test_a_stream_whose_connection_failed_is_retried_once(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.faults.drop_connection(path=CHAT)
    with _client(flow_gateway, max_retries=1) as client:
        stream = client.chat.completions.create(**HELLO, stream=True)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    assert text == "Hello there! How can I help?"
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [0, 200]


async def test_an_async_stream_whose_connection_failed_is_retried_once(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.faults.drop_connection(path=CHAT)
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=1
    ) as client:
        stream = await client.chat.completions.create(**HELLO, stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text == "Hello there! How can I help?"
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [0, 200]


def test_two_failed_connections_with_one_retry_raise_a_connection_error(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.faults.drop_connection(path=CHAT, times=2)
    with _client(flow_gateway, max_retries=1) as client, pytest.raises(flow.ConnectionError) as caught:
        client.chat.completions.create(**HELLO, stream=True)
    assert isinstance(caught.value, openai.APIConnectionError)
    assert len(flow_gateway.calls.to(CHAT)) == 2


def test_a_stream_cut_after_its_first_bytes_is_not_retried(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.faults.cut_stream(after=3, path=CHAT)
    received: list[str] = []
    with _client(flow_gateway, max_retries=2) as client:
        stream = client.chat.completions.create(**HELLO, stream=True)
        with pytest.raises(flow.ConnectionError) as caught:
            received.extend(chunk.choices[0].delta.content or "" for chunk in stream)
    assert "".join(received) == "Hello there!"  # what arrived stays delivered; nothing is repeated
    assert isinstance(caught.value, openai.APIConnectionError)
    assert len(flow_gateway.calls.to(CHAT)) == 1


async def test_an_async_stream_cut_midway_is_not_retried(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.faults.cut_stream(after=2, path=CHAT)
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=2
    ) as client:
        stream = await client.chat.completions.create(**HELLO, stream=True)
        with pytest.raises(flow.ConnectionError):
            async for _chunk in stream:
                pass
    assert len(flow_gateway.calls.to(CHAT)) == 1


@pytest.mark.parametrize(
    ("status", "raises", "also"),
    [
        (500, flow.ProviderError, openai.InternalServerError),
        (429, flow.RateLimitError, openai.RateLimitError),
        (401, flow.ProviderError, openai.AuthenticationError),  # the platform had let the call in
        (403, flow.ProviderError, openai.PermissionDeniedError),
    ],
)
def test_an_in_band_failure_frame_is_a_typed_error(
    flow_gateway: LocalFlowGateway, status: int, raises: type[Exception], also: type[Exception]
) -> None:
    """LiteLLM reports a provider failing mid-stream as a `data: {"error": ...}` frame after HTTP 200."""
    flow_gateway.faults.cut_stream(after=2, error="litellm.APIError: upstream broke", status=status, path=CHAT)
    with _client(flow_gateway, max_retries=2) as client, pytest.raises(raises) as caught:
        list(client.chat.completions.create(**HELLO, stream=True))
    assert isinstance(caught.value, also)
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert str(caught.value) == "litellm.APIError: upstream broke"
    assert len(flow_gateway.calls.to(CHAT)) == 1
