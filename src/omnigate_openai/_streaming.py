"""The SDK's SSE stream classes, made to fail loudly: GatewayStream and AsyncGatewayStream.

They replace `openai.Stream` for every streamed call of a gateway client (`create(stream=True)`,
`with_streaming_response`, the `.stream()` helpers), so that an in-band failure frame raises the
typed error its gateway's profile says (OmniGate: `ProviderError` with the provider's real status)
instead of a bare `openai.APIError`, and a stream cut before its end marker raises `ConnectionError`
instead of ending quietly. A gateway's other dialects live in its package (`omnigate/_streams.py`).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar, Generic, TypeVar

import openai
from typing_extensions import override

from ._exceptions import ConnectionError
from ._meta import GatewayMeta, attach_meta, meta, with_meta
from ._profile import GatewayProfile
from ._sdk import httpx
from .guard._call import awatch_chunks, guarded_call, stream_closed, watch_chunks

__all__ = ["CUT_SHORT", "HIDDEN_USAGE", "AsyncGatewayStream", "GatewayStream", "MetaFromTheStart", "cut"]

_T = TypeVar("_T")

CUT_SHORT = "The gateway's stream ended before its end marker: the connection was closed mid-stream"


class MetaFromTheStart(Generic[_T]):
    """Gives a stream its metadata as soon as it exists, before the first chunk is read."""

    _known_facts: ClassVar[dict[str, Any]] = {}
    """What the stream's route says for certain (a native stream never falls back or hits the cache)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        headers = options["response"].headers
        attach_meta(self, _profile(self).meta_from_headers(headers, **self._known_facts))


class GatewayStream(MetaFromTheStart[_T], openai.Stream[_T]):
    """A synchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> Iterator[_T]:
        call = guarded_call(self.response.request)  # a guarded call settles when its stream ends
        return self._chunks() if call is None else watch_chunks(call, self, self._chunks())

    @override
    def close(self) -> None:
        stream_closed(self)
        super().close()

    def _chunks(self) -> Iterator[_T]:
        events = self._iter_events()
        try:
            for event in events:
                if event.data.startswith("[DONE]"):
                    with contextlib.suppress(openai.APIConnectionError, httpx.TransportError):
                        for _rest in events:  # to the body's end, so the connection goes back to the pool
                            pass
                    return
                chunk = _chunk(self, event.data)
                if chunk is not _HIDDEN:
                    yield chunk
        except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
            raise cut(exc, self.response) from exc
        finally:
            self.response.close()
        raise ConnectionError(CUT_SHORT, request=self.response.request)


class AsyncGatewayStream(MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """An asynchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> AsyncIterator[_T]:
        call = guarded_call(self.response.request)  # a guarded call settles when its stream ends
        return self._chunks() if call is None else awatch_chunks(call, self, self._chunks())

    @override
    async def close(self) -> None:
        stream_closed(self)
        await super().close()

    async def _chunks(self) -> AsyncIterator[_T]:
        events = self._iter_events()
        try:
            async for event in events:
                if event.data.startswith("[DONE]"):
                    with contextlib.suppress(openai.APIConnectionError, httpx.TransportError):
                        async for _rest in events:  # to the body's end, so the connection goes back to the pool
                            pass
                    return
                chunk = _chunk(self, event.data)
                if chunk is not _HIDDEN:
                    yield chunk
        except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
            raise cut(exc, self.response) from exc
        finally:
            await self.response.aclose()
        raise ConnectionError(CUT_SHORT, request=self.response.request)


def _profile(stream: Any) -> GatewayProfile:
    """The profile of the client that opened the stream (a plain SDK client: a plain OpenAI-compatible one)."""
    settings = getattr(stream._client, "settings", None)
    return settings.profile if settings is not None else _PLAIN


_PLAIN = GatewayProfile()


HIDDEN_USAGE = "omnigate_openai.hidden_usage"
"""The response extension a profile sets (`note_response`) when it asked for a stream's usage chunk on the
caller's behalf: the chunk still prices the stream, but the caller's iteration skips it."""

_HIDDEN = object()
"""What `_chunk` returns for the usage chunk the client asked for on the caller's behalf."""


def _chunk(stream: openai.Stream[Any] | openai.AsyncStream[Any], data: str) -> Any:
    frame = json.loads(data)
    profile = _profile(stream)
    failure = profile.stream_failure(frame)
    if failure is not None:
        raise with_meta(
            profile.stream_error(stream.response, failure), profile.meta_from_headers(stream.response.headers)
        )
    if isinstance(frame, dict) and frame.get("usage"):
        attach_meta(stream, _priced(stream, profile, frame))
        if stream.response.extensions.get(HIDDEN_USAGE):
            return _HIDDEN  # the caller did not ask for it: their stream looks as it would without us
    return stream._client._process_response_data(data=frame, cast_to=stream._cast_to, response=stream.response)


def _priced(stream: Any, profile: GatewayProfile, frame: dict[str, Any]) -> GatewayMeta:
    """The stream's metadata once its usage chunk arrived (`stream_options={"include_usage": True}`)."""
    cache = getattr(stream._client, "_price_cache", None)
    prices = cache.prices if cache is not None else None
    return profile.stream_meta(meta(stream), frame, prices)


def cut(exc: Exception, response: Any) -> ConnectionError:  # httpx or httpx2, by the openai major
    timed_out = isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException))
    message = "The gateway's stream timed out" if timed_out else CUT_SHORT
    return ConnectionError.for_timeout(timed_out)(message, request=response.request)
