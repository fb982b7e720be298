"""Streams of emulated calls: the gateway's text deltas become OpenAI's content and tool-call chunks.

The answer is read as it arrives (`ReplyScanner`): text is passed on as soon as it cannot be part of
an envelope, an envelope becomes tool-call deltas in OpenAI's shape (`index`, `id`, `type`,
`function.name`, then the `function.arguments`), and the finish chunk says `tool_calls`. So the
SDK's own accumulation (`ChatCompletionStreamState`, the `.stream()` helper) builds the message the
same call would have returned unstreamed. A broken answer of which nothing was shown yet (an
envelope, or any answer when a tool must be called) is asked again within the stream, `max_reasks`
times; one already partly shown (a streamed JSON answer, text before a broken envelope) raises
`ModelOutputError` at the end of the stream.
"""

from __future__ import annotations

import functools
import types
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import openai

from ._emulated_call import EmulatedCall, new_call_id
from ._emulation import RejectedReply
from ._exceptions import ModelOutputError
from ._guarding import answer_read_above
from ._meta import attach_meta, meta
from ._tool_reply import Reading, ReplyRejected, ReplyScanner

if TYPE_CHECKING:
    from .guard._call import GuardedCall

__all__ = ["EmulatedChunks", "emulated_stream_class"]

_T = TypeVar("_T")
_FRAME = ("id", "object", "created", "model", "system_fingerprint", "service_tier")


class EmulatedChunks:
    """The gateway's chunks -> the emulated answer's chunks, for both stream classes: no I/O."""

    def __init__(self, emulation: EmulatedCall, stream: Any) -> None:
        self._emulation = emulation
        self._stream = stream
        self._scanner = ReplyScanner(emulation.rules)
        self._reply: list[str] = []
        self._frame: dict[str, Any] | None = None
        self._done = False
        self._shown = False
        self._rejected: ReplyRejected | None = None
        self._reasked = False
        self.usage: Any = None
        """The usage the gateway sent for the attempt being read, once its usage chunk came."""

    def restart(self) -> None:
        """Read the next attempt's answer (a re-ask), continuing the same stream."""
        self._scanner = ReplyScanner(self._emulation.rules)
        self._reply, self._done, self._rejected, self.usage, self._reasked = [], False, None, None, True

    def spent(self, chunk: Any) -> Any:
        """A chunk of a rejected answer, read to its end: its usage is kept for the next attempts' to add to."""
        if chunk.usage is not None:
            self.usage = chunk.usage
        return chunk

    def over_attempts(self, chunks: list[Any]) -> list[Any]:
        """`chunks` as the caller sees them: after a re-ask, a usage chunk counts every attempt, as the
        unstreamed answer's `usage` does. (A guard has seen each attempt's own usage by then.)"""
        if self._reasked:
            for chunk in chunks:
                if chunk.usage is not None:
                    chunk.usage = self._emulation.usage_over_attempts(chunk.usage)
        return chunks

    def feed(self, chunk: Any) -> list[Any]:
        """What to yield for one chunk of the gateway's stream (often the chunk itself)."""
        choices = chunk.choices
        if not choices or self._done:  # the usage chunk, after the finish chunk
            self.spent(chunk)
            return [chunk]
        if self._frame is None:
            self._frame = {key: getattr(chunk, key, None) for key in _FRAME if getattr(chunk, key, None) is not None}
        choice = choices[0]
        delta = choice.delta
        text = delta.content
        shown = ""
        if text:
            self._reply.append(text)
            if self._rejected is None:
                try:
                    shown = self._scanner.feed(text)
                except ReplyRejected as exc:  # decided at the answer's end, with the whole answer to quote
                    self._rejected = exc
        self._shown = self._shown or bool(shown)
        if choice.finish_reason is None:
            if shown and shown == text:
                return [chunk]
            if not shown and not delta.role:
                return []  # held back: nothing to yield (and no model field to set on a chunk that is dropped)
            delta.content = shown or None  # as OpenAI's role chunk: no content yet (an answer of calls has none)
            return [chunk]
        # Text in the chunk that finishes goes in a chunk of its own: this one comes last, after the calls.
        out = [self._build({"content": shown})] if shown else []
        return out + self._finish(chunk)

    def end(self) -> list[Any]:
        """What to yield once the gateway's stream ended without a finish chunk (none, normally)."""
        return [] if self._done or self._frame is None else self._finish(None)

    def _finish(self, last: Any) -> list[Any]:
        self._done = True
        try:
            if self._rejected is not None:
                raise self._rejected
            rest, reading = self._scanner.finish()
        except ReplyRejected as exc:
            reply = "".join(self._reply)
            if not self._shown:  # nothing of it reached the caller: the stream can ask again
                raise RejectedReply(str(exc), reply=reply, completion=None) from None
            raise self._failure(str(exc)) from None
        out = [self._build({"content": rest})] if rest else []
        out += self._calls(reading)
        called = "function_call" if self._emulation.legacy else "tool_calls"
        if last is not None:
            choice = last.choices[0]
            choice.delta.content = None
            if reading.calls and choice.finish_reason in ("stop", None):
                choice.finish_reason = called
            out.append(last)
        elif reading.calls:  # the gateway sent no finish chunk; an answer of calls ends as OpenAI's says so
            out.append(self._build({}, finish_reason=called))
        stream = self._stream
        emulation = self._emulation
        attach_meta(stream, meta(stream).emulating(emulation.emulated).replace(attempts=emulation.attempts))
        return out

    def _calls(self, reading: Reading) -> list[Any]:
        if self._emulation.legacy and reading.calls:
            first = reading.calls[0]
            return [self._build({"function_call": {"name": first.name, "arguments": first.arguments}})]
        out = []
        for index, call in enumerate(reading.calls):
            opening = {"index": index, "id": new_call_id(), "type": "function"}
            out.append(self._build({"tool_calls": [{**opening, "function": {"name": call.name, "arguments": ""}}]}))
            out.append(self._build({"tool_calls": [{"index": index, "function": {"arguments": call.arguments}}]}))
        return out

    def _build(self, delta: dict[str, Any], finish_reason: str | None = None) -> Any:
        data = {**(self._frame or {}), "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
        stream = self._stream
        return stream._client._process_response_data(data=data, cast_to=stream._cast_to, response=stream.response)

    def _failure(self, problem: str) -> ModelOutputError:
        reply = "".join(self._reply)
        error = ModelOutputError(
            f"The model's streamed answer broke the emulation contract: {problem}",
            raw_reply=reply,
            problem=problem,
            attempts=self._emulation.attempts,
        )
        emulation = self._emulation
        attach_meta(error, meta(self._stream).emulating(emulation.emulated).replace(attempts=emulation.attempts))
        return error


class _EmulatedSync(Generic[_T]):
    _options: Any

    def __stream__(self) -> Iterator[_T]:
        emulation: EmulatedCall = self._options.post_parser
        chunks = EmulatedChunks(emulation, self)
        source: Iterator[Any] = super().__stream__()  # type: ignore[misc]
        attempt: Any = self  # the stream of the attempt being read: a re-ask has its own
        call = answer_read_above(self)  # a guard checks the tool calls read here, not the envelope's text
        while True:
            try:
                for chunk in source:
                    yield from chunks.over_attempts(_seen(call, chunks.feed(chunk)))
                tail = _seen(call, chunks.end())
            except (RejectedReply, ModelOutputError) as rejected:
                for rest in source:  # the rejected answer to its end: the gateway billed it, its usage prices it
                    _seen(call, [chunks.spent(rest)])
                if call is not None:
                    call.stream_ended(attempt, rejected=rejected)
                if isinstance(rejected, ModelOutputError):
                    raise
                rejected.completion = attempt  # what it cost, for `ask_again` to sum
                emulation.ask_again(rejected, usage=chunks.usage)  # or ModelOutputError, once the re-asks are spent
                attempt = _reask(self, emulation)
                call = answer_read_above(attempt)
                source = iter(attempt)
                chunks.restart()
                continue
            if call is not None:  # settled, and its tool calls checked, before the last of them are shown
                call.stream_ended(attempt)
            if attempt is not self:  # re-asked: the last attempt's metadata, its cost summed over every attempt
                attach_meta(self, emulation.meta_over_attempts(attempt))
            yield from tail
            return


class _EmulatedAsync(Generic[_T]):
    _options: Any

    async def __stream__(self) -> AsyncIterator[_T]:
        emulation: EmulatedCall = self._options.post_parser
        chunks = EmulatedChunks(emulation, self)
        source: AsyncIterator[Any] = super().__stream__()  # type: ignore[misc]
        attempt: Any = self
        call = answer_read_above(self)
        while True:
            try:
                async for chunk in source:
                    for out in chunks.over_attempts(_seen(call, chunks.feed(chunk))):
                        yield out
                tail = _seen(call, chunks.end())
            except (RejectedReply, ModelOutputError) as rejected:
                async for rest in source:
                    _seen(call, [chunks.spent(rest)])
                if call is not None:
                    await call.astream_ended(attempt, rejected=rejected)
                if isinstance(rejected, ModelOutputError):
                    raise
                rejected.completion = attempt
                emulation.ask_again(rejected, usage=chunks.usage)
                attempt = await _areask(self, emulation)
                call = answer_read_above(attempt)
                source = attempt.__aiter__()
                chunks.restart()
                continue
            if call is not None:
                await call.astream_ended(attempt)
            if attempt is not self:
                attach_meta(self, emulation.meta_over_attempts(attempt))
            for out in tail:
                yield out
            return


def _seen(call: GuardedCall | None, chunks: list[Any]) -> list[Any]:
    """`chunks`, shown to a guarded call first: what it records and checks is what the caller is given."""
    if call is not None:
        for chunk in chunks:
            call.saw(chunk)
    return chunks


def _reask(stream: Any, emulation: EmulatedCall) -> Any:
    """The re-ask's stream, of the gateway's own chunks (read by the stream that asks)."""
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    chunks = openai.Stream[ChatCompletionChunk]
    return stream._client._send(ChatCompletion, emulation.options(read=False), stream=True, stream_cls=chunks)


async def _areask(stream: Any, emulation: EmulatedCall) -> Any:
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    chunks = openai.AsyncStream[ChatCompletionChunk]
    return await stream._client._send(ChatCompletion, emulation.options(read=False), stream=True, stream_cls=chunks)


@functools.cache
def _emulated(base: type[Any]) -> type[Any]:
    """`base` (a profile's stream class) reading an emulated answer; the SDK reads `_T` off a direct base."""
    asynchronous = issubclass(base, openai.AsyncStream)
    mixin: Any = _EmulatedAsync if asynchronous else _EmulatedSync
    sdk: Any = openai.AsyncStream if asynchronous else openai.Stream
    return types.new_class(f"Emulated{base.__name__}", (mixin[_T], base[_T], sdk[_T]))


def emulated_stream_class(chosen: Any) -> Any:
    """The profile's stream class `chosen` (`Stream[Chunk]`), reading an emulated call's answer
    (`_emulation.stream_class_for` asks this of an emulated call only)."""
    origin = getattr(chosen, "__origin__", None)
    if not isinstance(origin, type):
        return chosen
    return _emulated(origin)[chosen.__args__[0]]
