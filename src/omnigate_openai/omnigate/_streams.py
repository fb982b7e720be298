"""OmniGate's native `/v1/chat` stream: plain text with no framing, as `ChatCompletionChunk`s or as text.

The SSE dialect of `/v1/chat/completions` is read by the core's `GatewayStream` (its failure frame is
recognised in `_stream_dialects.py`); this module drives the other dialect, whose failure is the
`"\n[error] "` sentinel found by `SentinelScanner`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import openai
from typing_extensions import override

from .._meta import with_meta
from .._sdk import httpx
from .._streaming import MetaFromTheStart, cut
from ._errors import stream_error
from ._metadata import meta_from_headers
from ._native import native_chunk, unix_time
from ._stream_dialects import SentinelScanner

__all__ = ["AsyncNativeChatStream", "NativeChatStream", "NativeChunks", "NativeText"]

_T = TypeVar("_T")


class NativeChatStream(MetaFromTheStart[_T], openai.Stream[_T]):
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
            raise cut(exc, self.response) from exc
        finally:
            self.response.close()


class AsyncNativeChatStream(MetaFromTheStart[_T], openai.AsyncStream[_T]):
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
            raise cut(exc, self.response) from exc
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
