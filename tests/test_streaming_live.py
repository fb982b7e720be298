"""Streams fail loudly: in-band error frames, cut connections, and every way the SDK streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletionChunk

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai._streaming import GatewayStream
from omnigate_openai.testing import LocalGateway

HELLO: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}
REPLY = "Hello there! How can I help?"


def test_a_healthy_stream(client: og.OpenAI) -> None:
    chunks = list(client.chat.completions.create(**HELLO, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == REPLY
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 8


def test_native_finish_reasons_are_normalised_in_chunks(client: og.OpenAI) -> None:
    chunks = list(client.chat.completions.create(**{**HELLO, "model": "claude-3-5-haiku-latest"}, stream=True))
    final = [c for c in chunks if c.choices and c.choices[0].finish_reason][-1]
    assert final.choices[0].finish_reason == "stop"
    assert og.meta(final).raw_finish_reason == "end_turn"


def test_native_finish_reasons_are_normalised_in_completions(client: og.OpenAI) -> None:
    completion = client.chat.completions.create(**{**HELLO, "model": "gemini-1.5-flash"})
    assert completion.choices[0].finish_reason == "stop"
    assert og.meta(completion).raw_finish_reason == "STOP"


def _read_all(stream: Any) -> str:
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


async def _aread_all(stream: Any) -> str:
    return "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])


def test_provider_401_mid_stream_is_a_typed_provider_error(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401)
    stream = client.chat.completions.create(**HELLO, stream=True)
    with pytest.raises(og.ProviderError, match="OpenAI error 401:") as caught:
        _read_all(stream)
    error = caught.value
    assert isinstance(error, openai.AuthenticationError)
    assert not isinstance(error, og.AuthError)
    assert (error.status_code, error.upstream_status, error.provider) == (401, 401, "openai")
    assert error.request_id is not None
    assert error.request_id.startswith("chatcmpl-")


def test_provider_429_mid_stream_is_also_a_rate_limit_error(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(429)
    with pytest.raises(og.RateLimitError) as caught:
        _read_all(client.chat.completions.create(**HELLO, stream=True))
    assert isinstance(caught.value, og.ProviderError)
    assert caught.value.source == "provider"


def test_a_failure_after_some_deltas_keeps_what_came_before(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.midstream(after=3)
    received: list[str] = []

    def read() -> None:
        for chunk in client.chat.completions.create(**HELLO, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)

    with pytest.raises(og.ProviderError) as caught:
        read()
    assert "".join(received) == "Hello there!"
    assert caught.value.status_code == 502  # a dropped upstream connection carries no status of its own
    assert caught.value.upstream_status is None


async def test_async_stream_failure_is_typed(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401)
    stream = await async_client.chat.completions.create(**HELLO, stream=True)
    with pytest.raises(og.ProviderError, match="OpenAI error 401:") as caught:
        await _aread_all(stream)
    assert caught.value.upstream_status == 401


def test_with_streaming_response_raises_the_same(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401)
    with client.chat.completions.with_streaming_response.create(**HELLO, stream=True) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        with pytest.raises(og.ProviderError, match="OpenAI error 401:"):
            _read_all(response.parse())


async def test_async_with_streaming_response(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.midstream(after=2)
    async with async_client.chat.completions.with_streaming_response.create(**HELLO, stream=True) as response:
        with pytest.raises(og.ProviderError):
            await _aread_all(await response.parse())


def test_stream_helper_raises_the_same(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    with client.chat.completions.stream(**HELLO) as stream:
        assert stream.get_final_completion().choices[0].message.content == REPLY
    local_gateway.faults.provider_error(401)
    with pytest.raises(og.ProviderError, match="OpenAI error 401:"), client.chat.completions.stream(**HELLO) as stream:
        stream.get_final_completion()


async def test_async_stream_helper_raises_the_same(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401)
    with pytest.raises(og.ProviderError, match="OpenAI error 401:"):
        async with async_client.chat.completions.stream(**HELLO) as stream:
            await stream.get_final_completion()


def test_a_cut_stream_raises_instead_of_ending_quietly(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.drop_connection(path="/v1/chat/completions")
    with pytest.raises(og.ConnectionError, match="stream") as caught:
        _read_all(client.chat.completions.create(**HELLO, stream=True))
    assert isinstance(caught.value, openai.APIConnectionError)


async def test_a_cut_async_stream_raises(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.drop_connection(path="/v1/chat/completions")
    with pytest.raises(og.ConnectionError):
        await _aread_all(await async_client.chat.completions.create(**HELLO, stream=True))


def test_stream_preflight_errors_are_status_errors(client: og.OpenAI) -> None:
    with pytest.raises(og.ModelNotFoundError, match="No provider registered"):
        client.chat.completions.create(**{**HELLO, "model": "mistral-large"}, stream=True)


def test_stream_metadata(client: og.OpenAI) -> None:
    stream = client.chat.completions.create(**HELLO, stream=True)
    _read_all(stream)
    found = og.meta(stream)
    assert found.request_id is not None
    assert found.request_id.startswith("chatcmpl-")
    assert found.rate_limit is not None
    assert found.rate_limit.limit == 60


def test_finished_streams_give_their_connection_back_to_the_pool(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    for _ in range(3):
        assert _read_all(client.chat.completions.create(**HELLO, stream=True)) == REPLY
    ports = {call.client_port for call in local_gateway.calls}
    assert len(ports) == 1, ports  # read to the body's end after `[DONE]`: the connection is kept alive


async def test_finished_async_streams_give_their_connection_back_to_the_pool(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    for _ in range(3):
        assert await _aread_all(await async_client.chat.completions.create(**HELLO, stream=True)) == REPLY
    ports = {call.client_port for call in local_gateway.calls}
    assert len(ports) == 1, ports


def _done_then_cut() -> Iterator[bytes]:
    yield b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini",'
    yield b'"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def test_a_connection_lost_after_the_end_marker_does_not_fail_a_complete_stream() -> None:
    client = og.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="llmg_test")
    request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
    response = httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=_done_then_cut(), request=request
    )
    stream = GatewayStream(cast_to=ChatCompletionChunk, response=response, client=client)
    assert _read_all(stream) == "Hi"
    assert response.is_closed
