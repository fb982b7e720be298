"""OmniGate's native `/v1/chat` stream: plain text with no framing, as `ChatCompletionChunk`s or as text.

The SSE dialect of `/v1/chat/completions` is read by the core's `GatewayStream` (its failure frame is
recognised in `_stream_dialects.py`); this module drives the other dialect, whose failure is the
`"\n[error] "` sentinel found by `SentinelScanner`. Only a routed call (`with_routing`, or `fallback_models` /
`cache` in `extra_body`) streams it: the module loads with the first such stream.
"""

from __future__ import annotations

import codecs
import weakref
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import openai
from typing_extensions import override

from .._exceptions import InvalidResponseError
from .._guarding import astream_closed, guarded_call, stream_closed
from .._meta import attach_meta, meta, with_meta
from .._sdk import httpx
from .._send import check_deadline, release
from .._streaming import MetaFromTheStart, alive, cut
from ._errors import stream_error
from ._metadata import meta_from_headers
from ._native import native_chunk, unix_time
from ._stream_dialects import SentinelScanner

__all__ = ["AsyncNativeChatStream", "NativeChatStream", "NativeChunks", "NativeText"]

_T = TypeVar("_T")


class NativeChatStream(MetaFromTheStart[_T], openai.Stream[_T]):
    """The native `/v1/chat` plain-text stream, as `ChatCompletionChunk`s (or as text: `.text()`).

    Raises `ProviderError` with the provider's real status when the body ends in the gateway's
    `"\n[error] "` sentinel, `ConnectionError` when the body is cut, and `InvalidResponseError` for
    bytes that are not UTF-8.
    """

    _content_type = "text/plain"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # shared by the chunks and `.text()`, so the two can be mixed; holds the stream only weakly
        # (`_streaming.py`: a dropped stream is closed at once)
        ref = weakref.ref(self)
        self._pieces = _native_text(ref, self.response)
        call = guarded_call(self.response.request)  # a guarded call settles when its stream ends
        if call is not None:
            self._pieces = call.watched(ref, self._pieces, text=True)

    @override
    def close(self) -> None:
        stream_closed(self)
        super().close()

    @override
    def __stream__(self) -> Iterator[_T]:
        return _native_chunks(weakref.ref(self), NativeChunks(self))

    def text(self) -> Iterator[str]:
        """The streamed text, piece by piece as it arrives, without building a chunk for each piece."""
        yield from self._pieces


def _native_chunks(ref: weakref.ref[Any], chunks: NativeChunks) -> Iterator[Any]:
    for piece in alive(ref)._pieces:
        yield chunks.content(piece)
    if meta(alive(ref)).end_confirmed:
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
        raise cut(exc, response) from exc
    finally:
        response.close()
        release(response)


class AsyncNativeChatStream(MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """The native `/v1/chat` plain-text stream, as `ChatCompletionChunk`s (or as text: `.text()`).

    Raises `ProviderError` with the provider's real status when the body ends in the gateway's
    `"\n[error] "` sentinel, `ConnectionError` when the body is cut, and `InvalidResponseError` for
    bytes that are not UTF-8.
    """

    _content_type = "text/plain"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # shared by the chunks and `.text()`, so the two can be mixed; holds the stream only weakly
        ref = weakref.ref(self)
        self._pieces = _async_native_text(ref, self.response)
        call = guarded_call(self.response.request)  # a guarded call settles when its stream ends
        if call is not None:
            self._pieces = call.awatched(ref, self._pieces, text=True)

    @override
    async def close(self) -> None:
        await astream_closed(self)
        await super().close()

    @override
    def __stream__(self) -> AsyncIterator[_T]:
        return _async_native_chunks(weakref.ref(self), NativeChunks(self))

    async def text(self) -> AsyncIterator[str]:
        """The streamed text, piece by piece as it arrives, without building a chunk for each piece."""
        async for piece in self._pieces:
            yield piece


async def _async_native_chunks(ref: weakref.ref[Any], chunks: NativeChunks) -> AsyncIterator[Any]:
    async for piece in alive(ref)._pieces:
        yield chunks.content(piece)
    if meta(alive(ref)).end_confirmed:
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
        raise cut(exc, response) from exc
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


for _public in (NativeChatStream, AsyncNativeChatStream):
    _public.__module__ = "omnigate_openai"  # their public names (the package root loads them on first use)
del _public


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
    chunk (the first also carries the assistant role), and a clean end of the body whose framing
    confirms it, the gateway's only success signal, becomes a final chunk with finish reason `stop`.
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
