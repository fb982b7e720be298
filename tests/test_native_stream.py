"""The native plain-text stream as OpenAI chunks: split at every byte offset, live, sync and async."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import openai
import pytest
from openai.types.chat import ChatCompletionChunk

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

UPSTREAM_401 = (
    'OpenAI error 401: {"error":{"message":"Incorrect API key provided: sk-bad-o****0000.",'
    '"type":"invalid_request_error","param":null,"code":"invalid_api_key"}}'
)
TEXT = "Héllo there! ☃"
FAILED = (TEXT + "\n[error] " + UPSTREAM_401).encode()
HEADERS = {
    "content-type": "text/plain; charset=utf-8",
    "x-request-id": "19a156c7-41a3-46c5-8907-b57c2fb587c0",
    "x-llmgw-provider": "openai",
    "x-llmgw-model": "gpt-4o-mini",
    "date": "Mon, 23 Nov 2026 07:16:10 GMT",
}
HELLO = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}
OFFLINE = "http://127.0.0.1:9/v1"  # nothing is sent: the response is built in the test


def _response(pieces: list[bytes]) -> httpx.Response:
    return httpx.Response(200, headers=HEADERS, content=iter(pieces), request=httpx.Request("POST", OFFLINE + "/chat"))


def _aresponse(pieces: list[bytes]) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    return httpx.Response(200, headers=HEADERS, content=body(), request=httpx.Request("POST", OFFLINE + "/chat"))


def _read(stream: og.NativeChatStream[ChatCompletionChunk], seen: list[str]) -> None:
    """Collect the text until the stream ends or raises (what was seen before a failure stays seen)."""
    for piece in stream.text():
        seen.append(piece)


async def _aread(stream: og.AsyncNativeChatStream[ChatCompletionChunk], seen: list[str]) -> None:
    async for piece in stream.text():
        seen.append(piece)


def _splits(body: bytes) -> Iterator[list[bytes]]:
    for offset in range(len(body) + 1):
        yield [body[:offset], body[offset:]]


def test_a_failure_split_at_every_byte_offset_raises_the_provider_status() -> None:
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    for pieces in _splits(FAILED):
        stream = og.NativeChatStream(cast_to=ChatCompletionChunk, response=_response(pieces), client=client)
        seen: list[str] = []
        with pytest.raises(og.ProviderError) as caught:
            _read(stream, seen)
        assert "".join(seen) == TEXT, pieces
        error = caught.value
        assert isinstance(error, openai.AuthenticationError)
        assert (error.status_code, error.upstream_status, error.provider) == (401, 401, "openai")
        assert str(error) == UPSTREAM_401
        assert og.meta(error).request_id == HEADERS["x-request-id"]


async def test_async_a_failure_split_at_every_byte_offset_raises_the_provider_status() -> None:
    client = og.AsyncOpenAI(base_url=OFFLINE, api_key="llmg_test")
    for pieces in _splits(FAILED):
        stream = og.AsyncNativeChatStream(cast_to=ChatCompletionChunk, response=_aresponse(pieces), client=client)
        seen: list[str] = []
        with pytest.raises(og.ProviderError) as caught:
            await _aread(stream, seen)
        assert "".join(seen) == TEXT, pieces
        assert (caught.value.status_code, caught.value.upstream_status) == (401, 401)


def test_a_clean_body_split_anywhere_becomes_chunks_ending_in_stop() -> None:
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    body = (TEXT + "\n").encode()
    for pieces in _splits(body):
        stream = og.NativeChatStream(cast_to=ChatCompletionChunk, response=_response(pieces), client=client)
        chunks = list(stream)
        assert all(isinstance(chunk, ChatCompletionChunk) for chunk in chunks)
        assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks) == TEXT + "\n"
        assert chunks[0].choices[0].delta.role == "assistant"
        assert chunks[-1].choices[0].finish_reason == "stop"
        assert {(c.id, c.model, c.created) for c in chunks} == {(HEADERS["x-request-id"], "gpt-4o-mini", 1795418170)}
        found = og.meta(stream)
        assert (found.provider, found.model, found.request_id) == ("openai", "gpt-4o-mini", HEADERS["x-request-id"])


def test_text_yields_exactly_what_the_chunks_carry() -> None:
    """`.text()` skips building chunks; the text a user reads must be the chunks' text, piece for piece."""
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    pieces = [b"H\xc3", b"\xa9llo\n[er", b"ror]", b"x there\n"]
    as_chunks = og.NativeChatStream(cast_to=ChatCompletionChunk, response=_response(pieces), client=client)
    contents = [c.choices[0].delta.content for c in as_chunks if c.choices[0].delta.content]
    as_text = og.NativeChatStream(cast_to=ChatCompletionChunk, response=_response(pieces), client=client)
    assert list(as_text.text()) == contents == ["H", "\u00e9llo", "\n[error]x there", "\n"]


def test_chunks_then_text_continue_one_stream() -> None:
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    stream = og.NativeChatStream(
        cast_to=ChatCompletionChunk, response=_response([b"one ", b"two ", b"three"]), client=client
    )
    first = next(iter(stream))
    assert (first.choices[0].delta.role, first.choices[0].delta.content) == ("assistant", "one ")
    assert list(stream.text()) == ["two ", "three"]
    rest = list(stream)  # the body was read to its end by `.text()`: only the closing chunk is left
    assert [(c.choices[0].delta.content, c.choices[0].finish_reason) for c in rest] == [(None, "stop")]
    assert stream.response.is_closed


async def test_async_chunks_then_text_continue_one_stream() -> None:
    client = og.AsyncOpenAI(base_url=OFFLINE, api_key="llmg_test")
    response = _aresponse([b"one ", b"two ", b"three"])
    stream = og.AsyncNativeChatStream(cast_to=ChatCompletionChunk, response=response, client=client)
    first = await stream.__anext__()
    assert first.choices[0].delta.content == "one "
    assert [piece async for piece in stream.text()] == ["two ", "three"]
    assert stream.response.is_closed


def test_an_unexplained_failure_is_a_502_provider_error() -> None:
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    body = b"Hello\n[error] Anthropic stream error: Overloaded"
    stream = og.NativeChatStream(cast_to=ChatCompletionChunk, response=_response([body]), client=client)
    with pytest.raises(og.ProviderError, match=r"^Anthropic stream error: Overloaded$") as caught:
        list(stream)
    assert isinstance(caught.value, openai.InternalServerError)
    assert (caught.value.status_code, caught.value.upstream_status, caught.value.provider) == (502, None, "anthropic")


# -- live, against the local gateway -------------------------------------------------------------


def test_chat_stream_yields_chunks_and_text(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    gateway = client.gateway
    chunks = list(gateway.chat_stream(**HELLO))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "Hello there! How can I help?"
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert "".join(gateway.chat_stream(**HELLO, max_tokens=50).text()) == "Hello there! How can I help?"
    sent = local_gateway.calls.last
    assert (sent.path, sent.json) == ("/v1/chat", {**HELLO, "max_tokens": 50, "stream": True})


async def test_async_chat_stream_yields_text(async_client: og.AsyncOpenAI) -> None:
    stream = await async_client.gateway.chat_stream(
        model="anthropic/claude-3-5-haiku-latest", messages=HELLO["messages"]
    )
    assert "".join([piece async for piece in stream.text()]) == "Hello there! How can I help?"
    assert og.meta(stream).provider == "anthropic"


@pytest.mark.parametrize(
    ("fault", "model", "error_status", "upstream"),
    [
        (401, "gpt-4o-mini", 401, 401),
        (429, "gpt-4o-mini", 429, 429),
        ("midstream", "claude-3-5-haiku-latest", 502, None),
    ],
)
def test_live_mid_stream_failures(
    client: og.OpenAI, local_gateway: LocalGateway, fault: object, model: str, error_status: int, upstream: int | None
) -> None:
    if fault == "midstream":
        local_gateway.faults.midstream(after=3)
    else:
        assert isinstance(fault, int)
        local_gateway.faults.provider_error(fault)
    seen: list[str] = []
    with pytest.raises(og.ProviderError) as caught:
        _read(client.gateway.chat_stream(model=model, messages=HELLO["messages"]), seen)
    assert (caught.value.status_code, caught.value.upstream_status) == (error_status, upstream)
    assert "".join(seen) == ("Hello there!" if fault == "midstream" else "")


async def test_async_live_mid_stream_failure(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401)
    stream = await async_client.gateway.chat_stream(**HELLO)
    with pytest.raises(og.ProviderError, match=r"^OpenAI error 401: ") as caught:
        await _aread(stream, [])
    assert isinstance(caught.value, openai.AuthenticationError)
    assert og.meta(caught.value).provider == "openai"


def test_a_pre_flight_failure_is_an_ordinary_status_error(client: og.OpenAI) -> None:
    with pytest.raises(og.ModelNotFoundError, match="No provider registered for model 'llama-3'"):
        client.gateway.chat_stream(model="llama-3", messages=HELLO["messages"])


def test_raw_responses_of_the_native_stream_and_of_route(client: og.OpenAI) -> None:
    raw = client.gateway.with_raw_response.chat_stream(**HELLO)
    assert og.meta(raw).provider == "openai"
    assert raw.headers["content-type"].startswith("text/plain")
    assert "".join(raw.parse().text()) == "Hello there! How can I help?"
    me = client.gateway.with_raw_response.route("gpt-4o-mini")  # the `/v1/me` answer the route is read from
    assert "openai" in me.parse().configured_providers  # type: ignore[attr-defined]


def _cut_after(first: bytes) -> Iterator[bytes]:
    yield first
    raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def test_a_cut_body_is_a_connection_error_not_a_clean_end() -> None:
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    response = httpx.Response(
        200, headers=HEADERS, content=_cut_after(b"Hello"), request=httpx.Request("POST", OFFLINE + "/chat")
    )
    stream = og.NativeChatStream(cast_to=ChatCompletionChunk, response=response, client=client)
    seen: list[str] = []
    with pytest.raises(og.ConnectionError, match="ended before its end marker") as caught:
        _read(stream, seen)
    assert isinstance(caught.value, openai.APIConnectionError)
    assert seen == ["Hello"]


def test_a_sentinel_without_a_message_still_fails() -> None:
    client = og.OpenAI(base_url=OFFLINE, api_key="llmg_test")
    stream = og.NativeChatStream(cast_to=ChatCompletionChunk, response=_response([b"Hi\n[error] "]), client=client)
    with pytest.raises(og.ProviderError, match=r"^The provider failed during the stream$") as caught:
        list(stream)
    assert caught.value.status_code == 502


# -- split by the network: a server that writes the failed body as two chunked-encoding chunks ----------


class _SplittingServer:
    """A loopback HTTP server that answers each `POST /v1/chat` with `FAILED`, split at the next offset.

    The two pieces go out as separate chunks of a chunked body, so the client reads them separately:
    the gateway itself always writes the sentinel and message in one piece.
    """

    def __init__(self, offsets: list[int]) -> None:
        self._offsets = list(offsets)
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(10)
        self.base_url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/v1"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> _SplittingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._socket.close()
        self._thread.join(timeout=10)

    def _serve(self) -> None:
        for offset in self._offsets:
            connection, _ = self._socket.accept()
            with connection:
                connection.settimeout(10)
                _read_request(connection)
                head = "".join(f"{name}: {value}\r\n" for name, value in HEADERS.items())
                connection.sendall(
                    f"HTTP/1.1 200 OK\r\n{head}transfer-encoding: chunked\r\nconnection: close\r\n\r\n".encode()
                )
                for piece in (FAILED[:offset], FAILED[offset:]):
                    if piece:
                        connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
                        time.sleep(0.001)
                connection.sendall(b"0\r\n\r\n")


def _read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += connection.recv(65536)


OFFSETS = list(range(len(FAILED) + 1))


def test_live_split_over_the_network_at_every_offset() -> None:
    with _SplittingServer(OFFSETS) as server, og.OpenAI(base_url=server.base_url, api_key="llmg_test") as client:
        for offset in OFFSETS:
            seen: list[str] = []
            with pytest.raises(og.ProviderError) as caught:
                _read(client.gateway.chat_stream(**HELLO), seen)
            assert ("".join(seen), caught.value.status_code, str(caught.value)) == (TEXT, 401, UPSTREAM_401), offset


async def test_async_live_split_over_the_network_at_every_offset() -> None:
    with _SplittingServer(OFFSETS) as server:
        async with og.AsyncOpenAI(base_url=server.base_url, api_key="llmg_test") as client:
            for offset in OFFSETS:
                seen: list[str] = []
                with pytest.raises(og.ProviderError) as caught:
                    await _aread(await client.gateway.chat_stream(**HELLO), seen)
                assert ("".join(seen), caught.value.upstream_status) == (TEXT, 401), offset
