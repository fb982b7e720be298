"""ResponseEventStream / AsyncResponseEventStream: a streamed Responses call, read off a chat stream.

They are the SDK's `Stream` / `AsyncStream` of `ResponseStreamEvent`, so `for event in stream`,
`stream.close()`, `with` blocks and the SDK's own `responses.stream(...)` helper (which accumulates
the events) all work as against OpenAI. Underneath, each reads the client's chat stream of the same
call: a gateway failure mid-stream raises the typed error the chat stream raises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import openai
from openai.types.chat import ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from typing_extensions import override

from ._meta import GatewayMeta, attach_meta, meta
from ._responses_events import ResponseEvents
from ._responses_output import emulated_meta

__all__ = ["AsyncResponseEventStream", "ResponseEventStream"]

OnDone = Callable[[Response], None]
"""Called with the finished `Response` once the stream has been read to its end (it stores it)."""


class ResponseEventStream(openai.Stream[ResponseStreamEvent]):
    """The Responses events of one call, read off the gateway's chat stream of it."""

    def __init__(
        self, *, chunks: openai.Stream[ChatCompletionChunk], events: ResponseEvents, client: Any, on_done: OnDone
    ) -> None:
        self._chunks, self._events, self._on_done = chunks, events, on_done
        super().__init__(cast_to=ResponseStreamEvent, response=chunks.response, client=client)  # type: ignore[arg-type]
        attach_meta(self, emulated_meta(meta(chunks)))

    @override
    def __stream__(self) -> Iterator[ResponseStreamEvent]:
        yield from self._events.start()
        for chunk in self._chunks:
            yield from self._events.feed(chunk)
        closing = self._events.finish()
        _finished(self, self._chunks, self._events, self._on_done)
        yield from closing

    @override
    def close(self) -> None:
        self._chunks.close()


class AsyncResponseEventStream(openai.AsyncStream[ResponseStreamEvent]):
    """The Responses events of one call, read off the gateway's chat stream of it."""

    def __init__(
        self, *, chunks: openai.AsyncStream[ChatCompletionChunk], events: ResponseEvents, client: Any, on_done: OnDone
    ) -> None:
        self._chunks, self._events, self._on_done = chunks, events, on_done
        super().__init__(cast_to=ResponseStreamEvent, response=chunks.response, client=client)  # type: ignore[arg-type]
        attach_meta(self, emulated_meta(meta(chunks)))

    @override
    async def __stream__(self) -> AsyncIterator[ResponseStreamEvent]:
        for event in self._events.start():
            yield event
        async for chunk in self._chunks:
            for event in self._events.feed(chunk):
                yield event
        closing = self._events.finish()
        _finished(self, self._chunks, self._events, self._on_done)
        for event in closing:
            yield event

    @override
    async def close(self) -> None:
        await self._chunks.close()


def _finished(stream: object, chunks: object, events: ResponseEvents, on_done: OnDone) -> None:
    """The chat stream's final metadata (its cost is known once its usage chunk arrived) on the stream and
    the `Response`, which is then stored, before the last event reaches the caller."""
    found: GatewayMeta = emulated_meta(meta(chunks))
    assert events.response is not None
    attach_meta(stream, found)
    attach_meta(events.response, found)
    on_done(events.response)
