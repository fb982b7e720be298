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
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar, Generic, TypeVar

import openai
from typing_extensions import override

from . import _watchdog
from ._bounds import deadline_error, deadline_of
from ._emulation import Emulation
from ._exceptions import ConnectionError, InvalidResponseError
from ._guarding import astream_closed, guarded_call, stream_closed, stream_opened, usage_hidden
from ._meta import GatewayMeta, attach_meta, emulated_in_request, meta, with_meta
from ._profile import GatewayProfile
from ._sdk import httpx
from ._send import check_deadline, release

__all__ = [
    "CUT_SHORT",
    "DRAIN_SECONDS",
    "HIDDEN_USAGE",
    "AsyncGatewayStream",
    "GatewayStream",
    "MetaFromTheStart",
    "alive",
    "cut",
]

_T = TypeVar("_T")

CUT_SHORT = "The gateway's stream ended before its end marker: the connection was closed mid-stream"


class MetaFromTheStart(Generic[_T]):
    """Gives a stream its metadata as soon as it exists, before the first chunk is read."""

    _known_facts: ClassVar[dict[str, Any]] = {}
    """What the stream's route says for certain (a native stream never falls back or hits the cache)."""
    _content_type: ClassVar[str] = "text/event-stream"
    """What the answer must be to be read as this stream; anything else is an `InvalidResponseError`."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        headers = options["response"].headers
        found = _profile(self).meta_from_headers(headers, **self._known_facts)
        found = found.emulating(emulated_in_request(options["response"]))
        emulation = getattr(options.get("options"), "post_parser", None)
        if isinstance(emulation, Emulation):  # what was served by prompt, known before the answer is read
            found = found.emulating(emulation.emulated).replace(attempts=emulation.attempts)
        attach_meta(self, found)
        stream_opened(self)  # a guarded call settles even if the stream is freed unread


class GatewayStream(MetaFromTheStart[_T], openai.Stream[_T]):
    """A synchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> Iterator[_T]:
        # The generator holds the stream only weakly: a stream left unread (`for c in stream: break`, no
        # `with`) is freed, and its response closed, as soon as the caller drops it, not by a later
        # garbage collection that could run while httpx's pool lock is held (openai 2.x deadlocks so).
        ref = weakref.ref(self)
        chunks = _sse_chunks(ref, self.response, self._decoder)
        call = guarded_call(self.response.request)  # a guarded call settles when its stream ends
        return chunks if call is None else call.watched(ref, chunks)

    @override
    def close(self) -> None:
        stream_closed(self)  # closed before its end: a guarded call is settled as broken off
        super().close()


def _sse_chunks(ref: weakref.ref[Any], response: Any, decoder: Any) -> Iterator[Any]:
    events = decoder.iter_bytes(response.iter_bytes())
    try:
        for event in events:
            check_deadline(response)
            if event.data.startswith("[DONE]"):
                with _draining(response) as more:
                    for _rest in events:  # to the body's end, so the connection goes back to the pool
                        if not more():
                            break
                return
            chunk = _chunk(alive(ref), event.data)
            if chunk is not _HIDDEN:
                yield chunk
    except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
        raise cut(exc, response) from exc
    except UnicodeDecodeError as exc:
        raise _undecodable(exc, response) from None
    finally:
        response.close()
        release(response)
    raise _ended_early(response)


class AsyncGatewayStream(MetaFromTheStart[_T], openai.AsyncStream[_T]):
    """An asynchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> AsyncIterator[_T]:
        ref = weakref.ref(self)
        chunks = _async_sse_chunks(ref, self.response, self._decoder)
        call = guarded_call(self.response.request)  # a guarded call settles when its stream ends
        return chunks if call is None else call.awatched(ref, chunks)

    @override
    async def close(self) -> None:
        await astream_closed(self)  # closed before its end: a guarded call is settled as broken off
        await super().close()


async def _async_sse_chunks(ref: weakref.ref[Any], response: Any, decoder: Any) -> AsyncIterator[Any]:
    events = decoder.aiter_bytes(response.aiter_bytes())
    try:
        async for event in events:
            check_deadline(response)
            if event.data.startswith("[DONE]"):
                with _draining(response) as more:
                    async for _rest in events:  # to the body's end, so the connection goes back to the pool
                        if not more():
                            break
                return
            chunk = _chunk(alive(ref), event.data)
            if chunk is not _HIDDEN:
                yield chunk
    except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
        raise cut(exc, response) from exc
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


def alive(ref: weakref.ref[Any]) -> Any:
    """The stream a generator reads for, which is alive while it is being iterated."""
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
    try:
        frame = json.loads(data)
    except ValueError:
        raise InvalidResponseError(
            f"The gateway's event stream sent a frame that is not JSON: {data[:200]!r}",
            response=stream.response,
            body=data,
        ) from None
    profile = _profile(stream)
    failure = profile.stream_failure(frame)
    if failure is not None:
        raise with_meta(
            profile.stream_error(stream.response, failure), profile.meta_from_headers(stream.response.headers)
        )
    if isinstance(frame, dict) and frame.get("usage"):
        attach_meta(stream, _priced(stream, profile, frame))
        if stream.response.extensions.get(HIDDEN_USAGE):
            usage_hidden(stream.response.request, frame["usage"])  # a guard counts its tokens all the same
            return _HIDDEN  # the caller did not ask for it: their stream looks as it would without us
    return stream._client._process_response_data(data=frame, cast_to=stream._cast_to, response=stream.response)


def _priced(stream: Any, profile: GatewayProfile, frame: dict[str, Any]) -> GatewayMeta:
    """The stream's metadata once its usage chunk arrived (`stream_options={"include_usage": True}`)."""
    cache = getattr(stream._client, "_price_cache", None)
    prices = cache.prices if cache is not None else None
    return profile.stream_meta(meta(stream), frame, prices)


def cut(exc: Exception, response: Any) -> ConnectionError:  # httpx or httpx2, by the openai major
    clock = deadline_of(response.request)
    if clock is not None and (clock.remaining() or 0.0) <= 0:
        return deadline_error(clock, response.request)
    timed_out = isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException))
    message = "The gateway's stream timed out" if timed_out else CUT_SHORT
    return ConnectionError.for_timeout(timed_out)(message, request=response.request)


def _ended_early(response: Any) -> ConnectionError:
    """The body ended before `[DONE]`: cut by the gateway, or by the deadline (which shuts its socket)."""
    clock = deadline_of(response.request)
    if clock is not None and (clock.remaining() or 0.0) <= 0:
        return deadline_error(clock, response.request)
    return ConnectionError(CUT_SHORT, request=response.request)
