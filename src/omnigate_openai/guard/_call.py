"""One guarded HTTP attempt: checked and reserved before it is sent, settled when its answer is known.

The client calls in at four points, each a line or two: `_build_request` plans the attempt from the
request options (`GuardBinding.attach`), `_send_request` reserves before sending and releases what
the gateway did not bill (`begin` / `answered` / `unanswered`), `_process_response` settles a
non-streamed answer (`settle_answer`), and the stream classes settle a stream when it ends, is
broken off or fails (`watched` / `awatched`; `_guarding.stream_closed`). The attempt travels
on the request's `extensions` until it is settled (`_guarding.py` reads it there), so nothing is
shared between concurrent calls.

What is settled: the gateway's own cost (`meta().cost_usd`: the native route's figure, or the compat
route's usage at the gateway's prices) and the usage's tokens. Where the answer carries no cost
(a stream without usage, a cut connection, a broken-off or unread stream) the reserved
worst case is charged: the gateway may have billed it, and a budget must not be overshot.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import os
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple, TypeVar

import openai
from openai.types import CompletionUsage

from .._emulation import emulated_tool_names
from .._exceptions import ProviderError
from .._guarding import EXTENSION, is_chat
from .._meta import GatewayMeta, meta
from .._profile import GatewayProfile, Prices
from .._sdk import FinalRequestOptions
from ._abandoned import settle_abandoned, start_settler
from ._errors import (
    CallVetoedError,
    GuardError,
    GuardStoreError,
    LimitExceededError,
    ToolAccessDeniedError,
    UnpricedModelError,
)
from ._estimate import output_cap, worst_case_usd
from ._guard import CallInfo, Guard, LimitWarning, hook_result_async, hook_result_sync
from ._history import CostSource, Row, record_of
from ._limits import METRICS, Amounts, as_shown
from ._loops import DICT_LIKE, answer_fingerprint, decide_async, decide_sync, echoed_answer, fingerprint, loop_error
from ._store import Refusal
from ._tools import offered_tools, policy_for

__all__ = ["GuardBinding", "GuardedCall"]

log = logging.getLogger("omnigate_openai.guard")

_PROCESS = os.urandom(8).hex() + "-"
_SERIAL = itertools.count()
_T = TypeVar("_T")
Route = Literal["compat", "native"]


class GuardBinding:
    """A guard and the agent a client copy calls for: what `client.with_guard(...)` carries."""

    __slots__ = ("agent_id", "guard")

    def __init__(self, guard: Guard, agent_id: str | None) -> None:
        if not isinstance(guard, Guard):
            raise TypeError(f"Expected with_guard(guard=Guard(...)), got {guard!r}")
        if agent_id is not None and (not isinstance(agent_id, str) or not agent_id):
            raise ValueError(f"Expected agent_id to be a non-empty string or None, got {agent_id!r}")
        self.guard, self.agent_id = guard, agent_id
        start_settler()  # settles the streams a garbage collection finds dropped

    def __repr__(self) -> str:
        return f"GuardBinding(guard={self.guard.path!r}, agent_id={self.agent_id!r})"

    def attach(
        self,
        request: Any,
        options: FinalRequestOptions,
        attempt: int,
        prices: Prices | None,
        profile: GatewayProfile,
        user_id: str | None,
    ) -> None:
        """Plan the attempt of a chat call and carry it on the request; other requests pass unguarded.

        The profile says which routes are chat calls (the first is OpenAI's, "compat"; any other is the
        gateway's own, "native") and how a model is priced; `user_id` is what the request's user header says.
        """
        if is_chat(options, profile) and isinstance(options.json_data, DICT_LIKE):
            route: Route = "compat" if options.url == profile.chat_paths[0] else "native"
            call = GuardedCall(self, options, options.json_data, route, request, attempt, user_id, prices, profile)
            request.extensions[EXTENSION] = call


class GuardedCall:
    """One attempt of a guarded chat call, from its plan to its settlement. Settles at most once."""

    __slots__ = (
        "_extensions",
        "_offered",
        "_options",
        "_own",
        "_started",
        "_text",
        "_tool_parts",
        "_usage",
        "agent_id",
        "amounts",
        "asynchronous",
        "attempt",
        "body",
        "guard",
        "model",
        "read_above",
        "request_print",
        "reserved",
        "rid",
        "route",
        "scopes",
        "stream",
        "unpriced",
        "user_id",
    )

    def __init__(
        self,
        binding: GuardBinding,
        options: FinalRequestOptions,
        body: Mapping[str, Any],
        route: Route,
        request: Any,
        attempt: int,
        user_id: str | None,
        prices: Prices | None,
        profile: GatewayProfile,
    ) -> None:
        guard = binding.guard
        self.guard, self.agent_id, self.user_id, self.attempt = guard, binding.agent_id, user_id, attempt
        self.body, self.route, self.model = body, route, str(body.get("model", ""))
        self.stream = bool(body.get("stream"))
        content: bytes = request.content
        self.request_print = fingerprint(content)
        prompt = len(content)  # a token is at least one byte: see `_estimate.py`
        output = output_cap(body, guard.default_output_tokens)
        self.scopes = guard.scopes(self.agent_id, self.user_id)
        price = guard.price_of(self.model, body.get("fallback_models"), prices, profile)
        # None when priced; else whether the gateway's price list was out of reach, or lacks the model
        self.unpriced = None if price is not None else prices is None and profile.prices_path is not None
        self.amounts = Amounts(0 if price is None else worst_case_usd(price, prompt, output), prompt + output, 1, 0)
        self.rid = f"{_PROCESS}{next(_SERIAL)}"  # unique per process, and processes apart: cheaper than uuid4
        self.reserved = False
        self._started = time.perf_counter()
        self._text: list[str] = []
        self._tool_parts: dict[int, list[str]] = {}
        self._usage: Any = None
        self._own: GatewayMeta | None = None
        self._options = options
        self._offered: list[str] | None = None
        self._extensions: dict[str, Any] = request.extensions
        self.read_above = False  # a layer above the stream reads the answer (tool emulation) and calls `saw`
        self.asynchronous = False

    @property
    def offered(self) -> list[str]:
        """The tools the request offers: in its body, or taken out of it by tool emulation (read when needed)."""
        if self._offered is None:
            self._offered = offered_tools(self.body) or emulated_tool_names(self._options)
        return self._offered

    # -- before sending ----------------------------------------------------------------------------
    def begin(self) -> None:
        guard = self.guard
        if self.attempt == 0:  # an SDK retry repeats a checked request: hooks and loops see it once
            if guard.before_call is not None:
                try:
                    self._veto(hook_result_sync(guard.before_call, self._info(), "before_call"))
                except GuardError as exc:
                    self._refuse(exc)
            if guard.tool_access is not None:
                self._check_offered_tools()
            event = guard.loops.check(self.agent_id, self.request_print)
            if event is not None:
                if not decide_sync(guard.loops.config, event):
                    self._refuse(loop_error(event))
                guard.loops.remember_anyway(self.agent_id, self.request_print)
        if self.unpriced is not None and self.scopes.limits_usd:
            self._refuse(UnpricedModelError(self.model, prices_unknown=self.unpriced))
        try:
            refusal = guard.store.reserve(self.rid, self.scopes.lines, self.amounts, guard.reservation_ttl)
        except GuardStoreError as exc:
            self._store_down(exc)
            return
        self._reserved_or_refused(refusal)

    async def abegin(self) -> None:
        self.asynchronous = True  # if its stream is dropped, it is settled with its async hooks
        guard = self.guard
        if self.attempt == 0:
            if guard.before_call is not None:
                try:
                    self._veto(await hook_result_async(guard.before_call, self._info(), "before_call"))
                except GuardError as exc:
                    self._refuse(exc)
            if guard.tool_access is not None:
                self._check_offered_tools()
            event = guard.loops.check(self.agent_id, self.request_print)
            if event is not None:
                if not await decide_async(guard.loops.config, event):
                    self._refuse(loop_error(event))
                guard.loops.remember_anyway(self.agent_id, self.request_print)
        if self.unpriced is not None and self.scopes.limits_usd:
            self._refuse(UnpricedModelError(self.model, prices_unknown=self.unpriced))
        try:
            refusal = await guard.store.areserve(self.rid, self.scopes.lines, self.amounts, guard.reservation_ttl)
        except GuardStoreError as exc:
            self._store_down(exc)
            return
        self._reserved_or_refused(refusal)

    def _info(self) -> CallInfo:
        return CallInfo(
            agent_id=self.agent_id,
            user_id=self.user_id,
            model=self.model,
            route=self.route,
            stream=self.stream,
            messages=self.body.get("messages") or (),
            tools=tuple(self.offered),
            reserved_usd=self.amounts.micro_usd / 1_000_000,
        )

    def _veto(self, verdict: object) -> None:
        if verdict is False or isinstance(verdict, str):
            self._refuse(CallVetoedError(verdict if isinstance(verdict, str) else "returned False"))

    def _check_offered_tools(self) -> None:
        policy = policy_for(self.guard.tool_access, self.agent_id)
        if policy is None:
            return
        for tool in self.offered:
            if not policy.allows(tool):
                self._refuse(ToolAccessDeniedError(tool=tool, agent_id=self.agent_id, where="offered"))

    def _store_down(self, exc: GuardStoreError) -> None:
        if self.guard.fail_closed:
            self._refuse(exc)
        log.warning("Guard %s: store unreachable, sending unguarded (fail_closed=False): %s", self.guard.path, exc)

    def _reserved_or_refused(self, refusal: Refusal | None) -> None:
        if refusal is not None:
            self._refuse(_limit_error(refusal, self.amounts))
        self.reserved = True

    def _refuse(self, error: GuardError) -> None:
        if not self._claim():  # already recorded (a veto re-raised)
            raise error
        self.guard.record(self._row((), str(error), 0, "none", 0.0), self.agent_id, failed=True, refused=True)
        raise error

    # -- after sending -----------------------------------------------------------------------------
    def answered(self, response: Any) -> None:
        """The gateway answered: an error status is not billed (nothing spent but the call)."""
        if response.status_code >= 400:
            self._settle_sync(_Outcome(_UNBILLED, "none", f"HTTP {response.status_code}"))

    async def aanswered(self, response: Any) -> None:
        if response.status_code >= 400:
            await self._settle_async(_Outcome(_UNBILLED, "none", f"HTTP {response.status_code}"))

    def unanswered(self, exc: BaseException) -> None:
        """No answer (a timeout, a dropped connection): the gateway may have billed it, so the worst case is."""
        self._settle_sync(_Outcome(self.amounts, "reservation", _describe(exc)))

    async def aunanswered(self, exc: BaseException) -> None:
        await self._settle_async(_Outcome(self.amounts, "reservation", _describe(exc)))

    def settle_answer(self, result: object) -> None:
        try:
            completion = _completion(result)
        except BaseException as exc:  # a raw response's answer rejected while parsed
            self.settle_unread(exc)
            raise
        self._settle_sync(self._answer_outcome(completion))
        if self.guard.tool_access is not None:
            self._check_called_tools(completion)

    async def asettle_answer(self, result: object) -> None:
        try:
            completion = _completion(result)
            if inspect.isawaitable(completion):  # `with_streaming_response`: the async response parses async
                completion = await completion
        except BaseException as exc:
            await self.asettle_unread(exc)
            raise
        await self._settle_async(self._answer_outcome(completion))
        if self.guard.tool_access is not None:
            self._check_called_tools(completion)

    def settle_unread(self, exc: BaseException) -> None:
        """The answer arrived (and was billed) but reading it failed: settled on the attempt's own figures."""
        self._settle_sync(self._answer_outcome(None)._replace(error=_describe(exc)))

    async def asettle_unread(self, exc: BaseException) -> None:
        await self._settle_async(self._answer_outcome(None)._replace(error=_describe(exc)))

    def remember(self, found: GatewayMeta, usage: Any) -> None:
        self._own = found
        self._usage = usage

    def _answer_outcome(self, completion: Any) -> _Outcome:
        """What to settle: the attempt's own cost and usage (`remember`, kept before a helper sums attempts)."""
        if completion is None:  # rejected while read (`settle_unread`)
            return self._billed(self._own)
        message = completion.choices[0].message if getattr(completion, "choices", None) else None
        if message is not None:
            self._text.append(message.content or "")
            for index, call in enumerate(message.tool_calls or ()):
                function = getattr(call, "function", None)
                if function is not None:
                    self._tool_parts[index] = [function.name or "", function.arguments or ""]
                elif (custom := getattr(call, "custom", None)) is not None:  # a custom tool's free-form input
                    self._tool_parts[index] = [custom.name or "", custom.input or ""]
        found = self._own
        if found is None:
            self._usage = getattr(completion, "usage", None)
            found = _meta_of(completion)
        return self._billed(found, getattr(completion, "id", None))

    def _billed(self, found: GatewayMeta | None, response_id: str | None = None) -> _Outcome:
        """The gateway's cost and the usage's tokens; where the answer carries no cost, the worst case reserved."""
        cost = None if found is None else found.cost_usd
        tokens = getattr(self._usage, "total_tokens", None)
        reserved = self.amounts
        actual = Amounts(
            reserved.micro_usd if cost is None else round(cost * 1_000_000),
            tokens if type(tokens) is int else reserved.tokens,
            1,
            len(self._tool_parts),
        )
        return _Outcome(actual, "reservation" if cost is None else "gateway", None, found, response_id)

    def _check_called_tools(self, completion: object) -> None:
        policy = policy_for(self.guard.tool_access, self.agent_id)
        if policy is None:
            return
        for name, _ in self._tool_calls():
            if not policy.allows(name):
                raise ToolAccessDeniedError(tool=name, agent_id=self.agent_id, where="called", completion=completion)

    # -- streams -----------------------------------------------------------------------------------
    def saw(self, chunk: Any) -> None:
        """A chunk went by: keep the text and tool calls (for loops, tool access, history) and the usage."""
        usage = getattr(chunk, "usage", None)
        if usage is not None:
            self._usage = usage
        choices = chunk.choices
        if not choices:
            return
        delta = choices[0].delta
        if delta.content:
            self._text.append(delta.content)
        for call in delta.tool_calls or ():
            parts = self._tool_parts.setdefault(call.index, ["", ""])
            function = call.function
            if function is not None:
                parts[0] += function.name or ""
                parts[1] += function.arguments or ""
            elif (custom := getattr(call, "custom", None)) is not None:  # a custom tool's free-form input
                parts[0] += _field(custom, "name")
                parts[1] += _field(custom, "input")

    def usage_hidden(self, usage: object) -> None:
        """The usage of a stream whose usage chunk the caller does not iterate (`saw` never gets it)."""
        if isinstance(usage, Mapping):
            self._usage = CompletionUsage.construct(**usage)

    def _stream_outcome(
        self, stream: Any, failure: BaseException | None, broken: bool, rejected: BaseException | None
    ) -> _Outcome:
        if isinstance(failure, ProviderError):  # the gateway records an in-band failure at $0
            return _Outcome(_UNBILLED, "none", _describe(failure))
        if failure is not None or broken:
            error = _describe(failure) if failure is not None else "stream broken off before its end"
            return _Outcome(self.amounts, "reservation", error)
        billed = self._billed(_meta_of(stream))
        return billed if rejected is None else billed._replace(error=_describe(rejected))

    def stream_ended(
        self,
        stream: Any,
        *,
        failure: BaseException | None = None,
        broken: bool = False,
        rejected: BaseException | None = None,
    ) -> None:
        """Settle a stream: read to its end, failed (`failure`), broken off, or read to its end and then
        `rejected` by the layer above (tool emulation): billed as answered, with that error recorded."""
        self._settle_sync(self._stream_outcome(stream, failure, broken, rejected))
        if failure is None and not broken and rejected is None and self.guard.tool_access is not None:
            self._check_called_tools(None)

    async def astream_ended(
        self,
        stream: Any,
        *,
        failure: BaseException | None = None,
        broken: bool = False,
        rejected: BaseException | None = None,
    ) -> None:
        await self._settle_async(self._stream_outcome(stream, failure, broken, rejected))
        if failure is None and not broken and rejected is None and self.guard.tool_access is not None:
            self._check_called_tools(None)

    def settle_when_freed(self, owner: object) -> None:
        """Settle as broken off when `owner` (the stream, or a raw response never parsed) is freed before the
        call settled: nothing else would, and the reservation would wait for its expiry. A no-op once settled."""
        weakref.finalize(owner, self.dropped)

    def dropped(self) -> None:
        """The caller let go of the answer before its end (see `_abandoned.py` for when this runs)."""
        if self._extensions.get(EXTENSION) is self:  # not settled yet
            settle_abandoned(self)

    def watched(self, ref: Callable[[], Any], items: Iterator[_T], *, text: bool = False) -> Iterator[_T]:
        """`items` (a stream's chunks, or with `text` a native stream's text), settling the call when they end,
        fail, or are broken off.

        `ref` is a weak reference to the stream (None once it was dropped: its metadata is then unknown and
        the reservation is charged), so a guarded stream is freed as soon as its caller drops it. When a
        layer above reads the answer (`read_above`), that layer settles a stream that ended: the answer's
        last tool calls may be read only after the gateway's stream has ended.
        """
        see: Callable[[Any], object] = self._text.append if text else self.saw
        try:
            for item in items:
                if not self.read_above:
                    see(item)
                yield item
        except GeneratorExit:
            self.dropped()
            raise
        except BaseException as exc:
            self.stream_ended(ref(), failure=exc)
            raise
        if not self.read_above:  # else the layer above settles once it has read the answer's end
            self.stream_ended(ref())

    async def awatched(
        self, ref: Callable[[], Any], items: AsyncIterator[_T], *, text: bool = False
    ) -> AsyncIterator[_T]:
        see: Callable[[Any], object] = self._text.append if text else self.saw
        try:
            async for item in items:
                if not self.read_above:
                    see(item)
                yield item
        except GeneratorExit:
            self.dropped()  # no awaiting while the generator is being closed
            raise
        except BaseException as exc:
            await self.astream_ended(ref(), failure=exc)
            raise
        if not self.read_above:
            await self.astream_ended(ref())

    # -- settling, written once but for the store call and the hooks ------------------------------------
    def _claim(self) -> bool:
        """Take the settlement (or the refusal), once: taking the call off its request is the claim. A dict's
        `pop` is atomic, so of two threads settling one call only one gets it back; no lock on a call's path.

        Off its request, the call is freed with it: httpx's request and response refer to each other, so only
        the garbage collector frees them, and a settled call left on its request would wait for the collector
        too, with its options, body and metadata: twice the collections for a run of guarded calls.
        """
        return self._extensions.pop(EXTENSION, None) is self

    # A reservation is settled off the caller's path (`settle_soon`) unless `on_warning` needs the totals
    # after it; then the caller settles now. Until a queued settlement lands, the call's worst case stays
    # reserved: limits are never overshot.
    def _settle_sync(self, outcome: _Outcome) -> None:
        if not self._claim():
            return
        guard = self.guard
        spent: Sequence[Amounts] = ()
        if self.reserved and guard.on_warning is None:
            guard.store.settle_soon(self.rid, self.scopes.names, self.amounts, outcome.actual)
        elif self.reserved:
            try:
                spent = guard.store.settle(self.rid, self.scopes.names, self.amounts, outcome.actual)
            except GuardStoreError as exc:  # the reservation expires and is charged at its worst case
                log.warning("Guard %s: could not settle a call: %s", guard.path, exc)
        row, warnings = self._settled(outcome, spent)
        for warning in warnings:
            if guard.on_warning is not None:
                hook_result_sync(guard.on_warning, warning, "on_warning")
        if guard.after_call is not None:
            hook_result_sync(guard.after_call, record_of(row), "after_call")

    async def _settle_async(self, outcome: _Outcome) -> None:
        if not self._claim():
            return
        guard = self.guard
        spent: Sequence[Amounts] = ()
        if self.reserved and guard.on_warning is None:
            guard.store.settle_soon(self.rid, self.scopes.names, self.amounts, outcome.actual)
        elif self.reserved:
            try:
                spent = await guard.store.asettle(self.rid, self.scopes.names, self.amounts, outcome.actual)
            except GuardStoreError as exc:
                log.warning("Guard %s: could not settle a call: %s", guard.path, exc)
        row, warnings = self._settled(outcome, spent)
        for warning in warnings:
            if guard.on_warning is not None:
                await hook_result_async(guard.on_warning, warning, "on_warning")
        if guard.after_call is not None:
            await hook_result_async(guard.after_call, record_of(row), "after_call")

    def _settled(self, outcome: _Outcome, spent: Sequence[Amounts]) -> tuple[Row, Sequence[LimitWarning]]:
        guard = self.guard
        latency = (time.perf_counter() - self._started) * 1000
        calls = self._tool_calls() if self._tool_parts else []
        found = outcome.found
        response_id = outcome.response_id or (None if found is None else found.request_id)
        source = "unpriced" if outcome.source == "reservation" and self.unpriced is not None else outcome.source
        row = self._row(calls, outcome.error, outcome.actual.micro_usd, source, latency, found, response_id)
        guard.record(row, self.agent_id, failed=outcome.error is not None, refused=False)
        if outcome.error is None:
            text, messages = "".join(self._text), self.body.get("messages")
            echoed = echoed_answer(messages) if guard.loops.config.same_answer is not None else None
            tool_prints = [fingerprint(f"{name}\0{args}") for name, args in calls] if calls else []
            guard.loops.answered(self.agent_id, answer_fingerprint(text, calls), tool_prints, echoed, text, messages)
        return row, guard.warnings(self.scopes.lines, spent) if spent else ()

    def _tool_calls(self) -> list[tuple[str, str]]:
        return [(parts[0], parts[1]) for _, parts in sorted(self._tool_parts.items())]

    def _row(
        self,
        calls: Sequence[tuple[str, str]],
        error: str | None,
        micro_usd: int,
        source: CostSource,
        latency_ms: float,
        found: GatewayMeta | None = None,
        response_id: str | None = None,
    ) -> Row:
        usage = self._usage
        messages = self.body.get("messages") or ()
        last = messages[-1].get("content") if messages and isinstance(messages[-1], DICT_LIKE) else None
        return (  # `CallRecord`'s fields, in their order
            self.agent_id,
            self.user_id,
            self.model,
            None if found is None else found.provider,
            self.route,
            self.stream,
            (last if isinstance(last, str) else repr(last))[:200],
            response_id,
            tuple(name for name, _ in calls) if calls else (),
            error,
            micro_usd / 1_000_000,
            source,
            getattr(usage, "prompt_tokens", None),
            getattr(usage, "completion_tokens", None),
            latency_ms,
            time.time(),
        )


class _Outcome(NamedTuple):
    """What an attempt came to: the amounts to settle, where its cost came from, and what its record shows."""

    actual: Amounts
    source: CostSource
    error: str | None = None
    found: GatewayMeta | None = None
    response_id: str | None = None


_UNBILLED = Amounts(0, 0, 1, 0)
"""An attempt the gateway refused or failed in band: it counts as a call, at nothing."""


def _limit_error(refusal: Refusal, amounts: Amounts) -> LimitExceededError:
    if refusal.metric == len(METRICS):
        return LimitExceededError(
            limit="max_seconds",
            current=refusal.current / 1000,
            maximum=refusal.maximum / 1000,
            requested=0,
            scope=refusal.scope,
        )
    metric = METRICS[refusal.metric]
    return LimitExceededError(
        limit=metric,
        current=as_shown(metric, refusal.current),
        maximum=as_shown(metric, refusal.maximum),
        requested=as_shown(metric, amounts[refusal.metric]),
        scope=refusal.scope,
    )


def _completion(result: object) -> Any:
    """The completion a non-streamed call returned: itself, or what a raw response parses to (cached by the SDK)."""
    if isinstance(result, openai.BaseModel):
        return result
    parse = getattr(result, "parse", None)
    if callable(parse) and getattr(result, "is_closed", False):  # a raw or streaming response: its body was read
        return parse()
    return None


def _field(custom: object, name: str) -> str:
    """A field of a streamed custom tool call's `custom`: openai's chunk types have no such field (only `function`),
    so the SDK keeps it as it came, a dict; read as an attribute should a later openai type it."""
    value = custom.get(name) if isinstance(custom, Mapping) else getattr(custom, name, None)
    return value if isinstance(value, str) else ""


def _meta_of(obj: object) -> GatewayMeta | None:
    try:
        return meta(obj)
    except TypeError:
        return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
