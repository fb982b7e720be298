"""The SDK's stream classes, made to fail loudly: GatewayStream (SSE) and NativeChatStream (plain text).

They replace `openai.Stream` for every streamed call of a gateway client (`create(stream=True)`,
`with_streaming_response`, the `.stream()` helpers), so that an in-band failure frame raises a
typed `ProviderError` with the provider's real status instead of a bare `openai.APIError`, and a
stream cut before its end marker raises `ConnectionError` instead of ending quietly. The native
route's plain-text stream (`client.gateway.chat_stream`, routed calls) yields the same chunks.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

import openai
from typing_extensions import override

from . import _watchdog
from ._bounds import deadline_error, deadline_of
from ._classify import stream_error
from ._cost import PriceCache, cost_usd
from ._exceptions import ConnectionError, InvalidResponseError
from ._meta import GatewayMeta, attach_meta, meta, meta_from_headers, with_meta
from ._native import native_chunk, unix_time
from ._pricing import provider_for_model
from ._sdk import httpx
from ._send import check_deadline, release
from ._stream_parsing import SentinelScanner, is_end_marker, stream_failure

__all__ = ["AsyncGatewayStream", "AsyncNativeChatStream", "GatewayStream", "NativeChatStream"]

_T = TypeVar("_T")

_CUT_SHORT = "The gateway's stream ended before its end marker: the connection was closed mid-stream"


class _MetaFromTheStart(Generic[_T]):
    """Gives a stream its metadata as soon as it exists, before the first chunk is read."""

    _known_facts: ClassVar[dict[str, Any]] = {}
    """What the stream's route says for certain (a native stream never falls back or hits the cache)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        headers = options["response"].headers
        attach_meta(self, meta_from_headers(headers, **self._known_facts))


class GatewayStream(_MetaFromTheStart[_T], openai.Stream[_T]):
    """A synchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> Iterator[_T]:
        # The generator holds the stream only weakly: a stream left unread (`for c in stream: break`, no
        # `with`) is freed, and its response closed, as soon as the caller drops it, not by a later
        # garbage collection that could run while httpx's pool lock is held (openai 2.x deadlocks so).
        return _sse_chunks(weakref.ref(self), self.response, self._decoder)


def _sse_chunks(ref: weakref.ref[Any], response: Any, decoder: Any) -> Iterator[Any]:
    events = decoder.iter_bytes(response.iter_bytes())
    try:
        for event in events:
            check_deadline(response)
            if is_end_marker(event.data):
                with _draining(response) as more:
                    for _rest in events:  # to the body's end, so the connection goes back to the pool
                        if not more():
                            break
                return
            yield _chunk(_alive(ref), event.data)
    except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
        raise _cut(exc, response) from exc
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, response) from None
    finally:
        response.close()
        release(response)
    raise _ended_early(response)


class AsyncGatewayStream(_MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """An asynchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> AsyncIterator[_T]:
        return _async_sse_chunks(weakref.ref(self), self.response, self._decoder)


async def _async_sse_chunks(ref: weakref.ref[Any], response: Any, decoder: Any) -> AsyncIterator[Any]:
    events = decoder.aiter_bytes(response.aiter_bytes())
    try:
        async for event in events:
            check_deadline(response)
            if is_end_marker(event.data):
                with _draining(response) as more:
                    async for _rest in events:  # to the body's end, so the connection goes back to the pool
                        if not more():
                            break
                return
            yield _chunk(_alive(ref), event.data)
    except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
        raise _cut(exc, response) from exc
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, response) from None
    finally:
        await response.aclose()
        release(response)
    raise _ended_early(response)


DRAIN_SECONDS = 0.25
DRAIN_EVENTS = 64
"""After `[DONE]` the body is read to its end (so the connection is reused) for at most this long and
this many events: a proxy that keeps sending heartbeats, or stalls before closing, gets its connection
closed instead of holding the caller."""


@contextlib.contextmanager
def _draining(response: Any) -> Iterator[Callable[[], bool]]:
    ends = time.monotonic() + DRAIN_SECONDS
    sock = _watchdog.socket_of(response)
    token = None if sock is None else _watchdog.watch(sock, at=ends)  # a stalled read is cut too
    count = 0

    def more() -> bool:
        nonlocal count
        count += 1
        return count < DRAIN_EVENTS and time.monotonic() < ends

    try:
        with contextlib.suppress(openai.APIConnectionError, httpx.TransportError):
            yield more
    finally:
        if token is not None:
            _watchdog.cancel(token)


def _alive(ref: weakref.ref[Any]) -> Any:
    stream = ref()
    if stream is None:  # unreachable while the stream is being iterated; kept for the type checker
        raise RuntimeError("The stream was freed while it was being read")
    return stream


def _undecodable(exc: UnicodeDecodeError, response: Any) -> InvalidResponseError:
    return InvalidResponseError(
        f"The gateway's event stream is not valid UTF-8 ({exc.object[exc.start : exc.end]!r})",
        response=response,
        body=None,
    )


def _chunk(stream: openai.Stream[Any] | openai.AsyncStream[Any], data: str) -> Any:
    try:
        frame = json.loads(data)
    except ValueError:
        raise InvalidResponseError(
            f"The gateway's event stream sent a frame that is not JSON: {data[:200]!r}",
            response=stream.response,
            body=data,
        ) from None
    failure = stream_failure(frame)
    if failure is not None:
        raise with_meta(stream_error(stream.response, failure), meta_from_headers(stream.response.headers))
    chunk = stream._client._process_response_data(data=frame, cast_to=stream._cast_to, response=stream.response)
    if isinstance(frame, dict) and frame.get("usage"):
        attach_meta(stream, _priced(stream, frame))
    return chunk


def _priced(stream: openai.Stream[Any] | openai.AsyncStream[Any], frame: dict[str, Any]) -> GatewayMeta:
    """The stream's metadata once its usage chunk arrived (`stream_options={"include_usage": True}`).

    A compat stream names the *requested* model, so it is priced as that: the gateway prices the
    model the provider confirmed, which differs only where a dated name is unpriced (`gpt-4-0613`).
    """
    cache: PriceCache | None = getattr(stream._client, "_price_cache", None)
    prices = cache.prices if cache is not None else None
    model = str(frame.get("model") or "")
    cost = None if prices is None else cost_usd(prices, model, frame["usage"])
    return meta(stream).replace(provider=provider_for_model(model), cost_usd=cost, fallback_used=False)


class NativeChatStream(_MetaFromTheStart[_T], openai.Stream[_T]):
    """The native `/v1/chat` plain-text stream, as `ChatCompletionChunk`s (or as text: `.text()`).

    Raises `ProviderError` with the provider's real status when the body ends in the gateway's
    `"\n[error] "` sentinel, `ConnectionError` when the body is cut, and `InvalidResponseError` for
    bytes that are not UTF-8.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # shared by the chunks and `.text()`, so the two can be mixed; holds the stream only weakly
        self._pieces = _native_text(weakref.ref(self), self.response)

    @override
    def __stream__(self) -> Iterator[_T]:
        return _native_chunks(weakref.ref(self), NativeChunks(self))

    def text(self) -> Iterator[str]:
        """The streamed text, piece by piece as it arrives, without building a chunk for each piece."""
        yield from self._pieces


def _native_chunks(ref: weakref.ref[Any], chunks: NativeChunks) -> Iterator[Any]:
    for piece in _alive(ref)._pieces:
        yield chunks.content(piece)
    if meta(_alive(ref)).end_confirmed:
        yield chunks.stop()


def _native_text(ref: weakref.ref[Any], response: Any) -> Iterator[str]:
    body = NativeText(response)
    try:
        for piece in response.iter_bytes():
            check_deadline(response)
            if safe := body.feed(piece):
                yield safe
        if rest := body.finish():
            yield rest
        _confirm_end(ref, response)
    except (openai.APIConnectionError, httpx.TransportError) as exc:
        raise _cut(exc, response) from exc
    finally:
        response.close()
        release(response)


class AsyncNativeChatStream(_MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """The native `/v1/chat` plain-text stream, as `ChatCompletionChunk`s (or as text: `.text()`).

    Raises `ProviderError` with the provider's real status when the body ends in the gateway's
    `"\n[error] "` sentinel, `ConnectionError` when the body is cut, and `InvalidResponseError` for
    bytes that are not UTF-8.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # shared by the chunks and `.text()`, so the two can be mixed; holds the stream only weakly
        self._pieces = _async_native_text(weakref.ref(self), self.response)

    @override
    def __stream__(self) -> AsyncIterator[_T]:
        return _async_native_chunks(weakref.ref(self), NativeChunks(self))

    async def text(self) -> AsyncIterator[str]:
        """The streamed text, piece by piece as it arrives, without building a chunk for each piece."""
        async for piece in self._pieces:
            yield piece


async def _async_native_chunks(ref: weakref.ref[Any], chunks: NativeChunks) -> AsyncIterator[Any]:
    async for piece in _alive(ref)._pieces:
        yield chunks.content(piece)
    if meta(_alive(ref)).end_confirmed:
        yield chunks.stop()


async def _async_native_text(ref: weakref.ref[Any], response: Any) -> AsyncIterator[str]:
    body = NativeText(response)
    try:
        async for piece in response.aiter_bytes():
            check_deadline(response)
            if safe := body.feed(piece):
                yield safe
        if rest := body.finish():
            yield rest
        _confirm_end(ref, response)
    except (openai.APIConnectionError, httpx.TransportError) as exc:
        raise _cut(exc, response) from exc
    finally:
        await response.aclose()
        release(response)


def _confirm_end(ref: weakref.ref[Any], response: Any) -> None:
    """The body ended cleanly; whether its framing confirms that was its end (`GatewayMeta.end_confirmed`).

    With `Transfer-Encoding: chunked` or a `Content-Length`, a cut body is an error of its own, so a
    clean end is the end; a body delimited only by the connection closing cannot be told from a cut.
    """
    headers = response.headers
    framed = "chunked" in headers.get("transfer-encoding", "").lower() or "content-length" in headers
    stream = ref()
    if stream is not None:
        attach_meta(stream, meta(stream).replace(end_confirmed=framed))


class NativeText:
    """The native stream's body bytes -> the text to show, and the failure its end may carry: no I/O.

    The stream has no framing: text is released once it cannot be the start of the gateway's
    failure sentinel, and a failure is raised at the end of the body, once its message is complete.
    Bytes that are not UTF-8 raise `InvalidResponseError` (rather than becoming U+FFFD).
    """

    def __init__(self, response: Any) -> None:  # httpx or httpx2, by the openai major
        self._response = response
        self._scanner = SentinelScanner()
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._offset = 0

    def feed(self, piece: bytes) -> str:
        return self._scanner.feed(self._decoded(piece))[0]

    def finish(self) -> str:
        tail = self._decoded(b"", final=True)
        rest, failure = self._scanner.finish() if not tail else self._finish_with(tail)
        if failure is not None:
            error = stream_error(self._response, {"message": failure})
            raise with_meta(error, meta_from_headers(self._response.headers))
        return rest

    def _finish_with(self, tail: str) -> tuple[str, str | None]:
        held = self._scanner.feed(tail)[0]
        rest, failure = self._scanner.finish()
        return held + rest, failure

    def _decoded(self, piece: bytes, *, final: bool = False) -> str:
        try:
            text: str = self._decoder.decode(piece, final)
        except UnicodeDecodeError as exc:
            where = self._offset + exc.start
            raise InvalidResponseError(
                f"The gateway's native stream is not valid UTF-8 (byte {piece[exc.start : exc.end]!r} at offset "
                f"{where} of the body)",
                response=self._response,
                body=None,
            ) from None
        self._offset += len(piece)
        return text


class NativeChunks:
    """Pieces of native text -> `ChatCompletionChunk`s, for both stream classes.

    The native stream has no usage and no finish reason: each piece of text becomes a content
    chunk (the first also carries the assistant role), and a clean end of the body, the gateway's
    only success signal, becomes a final chunk with finish reason `stop`.
    """

    def __init__(self, stream: openai.Stream[Any] | openai.AsyncStream[Any]) -> None:
        # what building a chunk needs, not the stream itself: the stream's generators hold it weakly
        self._process = stream._client._process_response_data
        self._cast_to = stream._cast_to
        self._response = stream.response
        headers = stream.response.headers
        self._id = headers.get("x-request-id") or ""
        self._created = unix_time(headers)
        self._model = headers.get("x-llmgw-model") or ""
        self._first = True

    def content(self, text: str) -> Any:
        chunk = self._build(text, first=self._first)
        self._first = False
        return chunk

    def stop(self) -> Any:
        return self._build(None, first=False, finish_reason="stop")

    def _build(self, text: str | None, *, first: bool, finish_reason: str | None = None) -> Any:
        data = native_chunk(
            chunk_id=self._id,
            created=self._created,
            model=self._model,
            content=text,
            first=first,
            finish_reason=finish_reason,
        )
        return self._process(data=data, cast_to=self._cast_to, response=self._response)


def _cut(exc: Exception, response: Any) -> ConnectionError:  # httpx or httpx2, by the openai major
    clock = deadline_of(response.request)
    if clock is not None and (clock.remaining() or 0.0) <= 0:
        return deadline_error(clock, response.request)
    timed_out = isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException))
    message = "The gateway's stream timed out" if timed_out else _CUT_SHORT
    return ConnectionError.for_timeout(timed_out)(message, request=response.request)


def _ended_early(response: Any) -> ConnectionError:
    """The body ended before `[DONE]`: cut by the gateway, or by the deadline (which shuts its socket)."""
    clock = deadline_of(response.request)
    if clock is not None and (clock.remaining() or 0.0) <= 0:
        return deadline_error(clock, response.request)
    return ConnectionError(_CUT_SHORT, request=response.request)
