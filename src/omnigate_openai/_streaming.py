"""The SDK's stream classes, made to fail loudly: GatewayStream (SSE) and NativeChatStream (plain text).

They replace `openai.Stream` for every streamed call of a gateway client (`create(stream=True)`,
`with_streaming_response`, the `.stream()` helpers), so that an in-band failure frame raises a
typed `ProviderError` with the provider's real status instead of a bare `openai.APIError`, and a
stream cut before its end marker raises `ConnectionError` instead of ending quietly. The native
route's plain-text stream (`client.gateway.chat_stream`, routed calls) yields the same chunks.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar, Generic, TypeVar

import openai
from typing_extensions import override

from ._classify import stream_error
from ._cost import PriceCache
from ._exceptions import ConnectionError
from ._meta import GatewayMeta, attach_meta, meta, meta_from_headers, with_meta
from ._native import native_chunk, unix_time
from ._pricing import provider_for_model
from ._results import HIDDEN_USAGE
from ._sdk import httpx
from ._stream_cost import stream_cost
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
        events = self._iter_events()
        try:
            for event in events:
                if is_end_marker(event.data):
                    with contextlib.suppress(openai.APIConnectionError, httpx.TransportError):
                        for _rest in events:  # to the body's end, so the connection goes back to the pool
                            pass
                    return
                chunk = _chunk(self, event.data)
                if chunk is not _HIDDEN:
                    yield chunk
        except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
            raise _cut(exc, self.response) from exc
        finally:
            self.response.close()
        raise ConnectionError(_CUT_SHORT, request=self.response.request)


class AsyncGatewayStream(_MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """An asynchronous stream of chunks from the gateway."""

    @override
    async def __stream__(self) -> AsyncIterator[_T]:
        events = self._iter_events()
        try:
            async for event in events:
                if is_end_marker(event.data):
                    with contextlib.suppress(openai.APIConnectionError, httpx.TransportError):
                        async for _rest in events:  # to the body's end, so the connection goes back to the pool
                            pass
                    return
                chunk = _chunk(self, event.data)
                if chunk is not _HIDDEN:
                    yield chunk
        except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
            raise _cut(exc, self.response) from exc
        finally:
            await self.response.aclose()
        raise ConnectionError(_CUT_SHORT, request=self.response.request)


_HIDDEN = object()
"""What `_chunk` returns for the usage chunk the client asked for on the caller's behalf."""


def _chunk(stream: openai.Stream[Any] | openai.AsyncStream[Any], data: str) -> Any:
    frame = json.loads(data)
    failure = stream_failure(frame)
    if failure is not None:
        raise with_meta(stream_error(stream.response, failure), meta_from_headers(stream.response.headers))
    if isinstance(frame, dict) and frame.get("usage"):
        attach_meta(stream, _priced(stream, frame))
        if stream.response.extensions.get(HIDDEN_USAGE):
            return _HIDDEN  # the caller did not ask for it: their stream looks as it would without us
    return stream._client._process_response_data(data=frame, cast_to=stream._cast_to, response=stream.response)


def _priced(stream: openai.Stream[Any] | openai.AsyncStream[Any], frame: dict[str, Any]) -> GatewayMeta:
    """The stream's metadata once its usage chunk arrived; `_stream_cost` says when a figure is exact."""
    cache: PriceCache | None = getattr(stream._client, "_price_cache", None)
    model = str(frame.get("model") or "")
    cost, note = stream_cost(cache.prices if cache is not None else None, model, frame["usage"])
    return meta(stream).replace(provider=provider_for_model(model), cost_usd=cost, cost_note=note, fallback_used=False)


class NativeChatStream(_MetaFromTheStart[_T], openai.Stream[_T]):
    """The native `/v1/chat` plain-text stream, as `ChatCompletionChunk`s (or as text: `.text()`).

    Raises `ProviderError` with the provider's real status when the body ends in the gateway's
    `"\n[error] "` sentinel, and `ConnectionError` when the body is cut.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pieces = self._read_text()  # shared by the chunks and `.text()`, so the two can be mixed

    @override
    def __stream__(self) -> Iterator[_T]:
        chunks = NativeChunks(self)
        for piece in self._pieces:
            yield chunks.content(piece)
        yield chunks.stop()

    def text(self) -> Iterator[str]:
        """The streamed text, piece by piece as it arrives, without building a chunk for each piece."""
        yield from self._pieces

    def _read_text(self) -> Iterator[str]:
        body = NativeText(self.response)
        try:
            for piece in self.response.iter_text():
                if safe := body.feed(piece):
                    yield safe
            if rest := body.finish():
                yield rest
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            raise _cut(exc, self.response) from exc
        finally:
            self.response.close()


class AsyncNativeChatStream(_MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """The native `/v1/chat` plain-text stream, as `ChatCompletionChunk`s (or as text: `.text()`).

    Raises `ProviderError` with the provider's real status when the body ends in the gateway's
    `"\n[error] "` sentinel, and `ConnectionError` when the body is cut.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pieces = self._read_text()  # shared by the chunks and `.text()`, so the two can be mixed

    @override
    async def __stream__(self) -> AsyncIterator[_T]:
        chunks = NativeChunks(self)
        async for piece in self._pieces:
            yield chunks.content(piece)
        yield chunks.stop()

    async def text(self) -> AsyncIterator[str]:
        """The streamed text, piece by piece as it arrives, without building a chunk for each piece."""
        async for piece in self._pieces:
            yield piece

    async def _read_text(self) -> AsyncIterator[str]:
        body = NativeText(self.response)
        try:
            async for piece in self.response.aiter_text():
                if safe := body.feed(piece):
                    yield safe
            if rest := body.finish():
                yield rest
        except (openai.APIConnectionError, httpx.TransportError) as exc:
            raise _cut(exc, self.response) from exc
        finally:
            await self.response.aclose()


class NativeText:
    """The native stream's body -> the text to show, and the failure its end may carry: no I/O.

    The stream has no framing: text is released once it cannot be the start of the gateway's
    failure sentinel, and a failure is raised at the end of the body, once its message is complete.
    """

    def __init__(self, response: Any) -> None:  # httpx or httpx2, by the openai major
        self._response = response
        self._scanner = SentinelScanner()

    def feed(self, piece: str) -> str:
        return self._scanner.feed(piece)[0]

    def finish(self) -> str:
        rest, failure = self._scanner.finish()
        if failure is not None:
            error = stream_error(self._response, {"message": failure})
            raise with_meta(error, meta_from_headers(self._response.headers))
        return rest


class NativeChunks:
    """Pieces of native text -> `ChatCompletionChunk`s, for both stream classes.

    The native stream has no usage and no finish reason: each piece of text becomes a content
    chunk (the first also carries the assistant role), and a clean end of the body, the gateway's
    only success signal, becomes a final chunk with finish reason `stop`.
    """

    def __init__(self, stream: openai.Stream[Any] | openai.AsyncStream[Any]) -> None:
        self._stream = stream
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
        stream = self._stream
        return stream._client._process_response_data(data=data, cast_to=stream._cast_to, response=stream.response)


def _cut(exc: Exception, response: Any) -> ConnectionError:  # httpx or httpx2, by the openai major
    timed_out = isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException))
    message = "The gateway's stream timed out" if timed_out else _CUT_SHORT
    return ConnectionError.for_timeout(timed_out)(message, request=response.request)
