"""The upstream side of both stream dialects: pre-flight, deltas, and the usage row of a stream.

Streams get the breaker and nothing else: no cache, no retry, no fallback. Whatever goes wrong after
the 200 is raised from `stream_deltas` for the route to frame (SSE error frame or text sentinel).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from omnigate_openai.testing._execute import CircuitOpen, record_outcome
from omnigate_openai.testing._fake_provider import (
    LABELS,
    ProviderError,
    StreamBroken,
    UpstreamReply,
    answer,
    marker_fault,
    midstream_error,
)
from omnigate_openai.testing._routing import ChatInput, Route, resolve_route, upstream_request
from omnigate_openai.testing._state import AuthContext, GatewayState, UsageStatus
from omnigate_openai.testing._usage import MAX_USER_ID, record, record_answer


@dataclass
class StreamOutcome:
    """How a stream ended, filled in as it runs: the reply on success, the error message otherwise."""

    reply: UpstreamReply | None = None
    error: str | None = None
    started: float = 0.0


def open_stream(state: GatewayState, context: AuthContext, model: str) -> Route:
    """The pre-flight of both stream dialects: routing, key and an already-open breaker answer first."""
    route = resolve_route(state, context, model)
    if not state.breaker.allows(route.provider, context.project.id):
        raise CircuitOpen(route.provider)
    return route


async def stream_deltas(
    state: GatewayState, context: AuthContext, route: Route, chat: ChatInput, outcome: StreamOutcome
) -> AsyncIterator[str]:
    """The upstream's text deltas; a failure raises ProviderError or StreamBroken after what was sent."""
    request = upstream_request(route, chat)
    fault = state.faults.take_upstream(route.provider, route.upstream_model, stream=True) or marker_fault(request)
    outcome.started = time.monotonic()
    try:
        if fault is not None and fault.kind == "slow":
            await asyncio.sleep(min(fault.value, state.settings.provider_timeout))
            if fault.value >= state.settings.provider_timeout:  # as the call does: the gateway's 502 timeout
                raise ProviderError(f"{LABELS[request.provider]} request failed: timed out", 502)
        reply = answer(
            request,
            fault,
            reply=state.model.reply(request.model, request.messages, plain=state.settings.reply),
            also_serves=state.settings.extra_models,
        )
        cut = int(fault.value) if fault is not None and fault.kind == "midstream" else None
        for index, delta in enumerate(reply.deltas):
            if cut is not None and index >= cut:
                break
            if state.settings.stream_delay:
                await asyncio.sleep(state.settings.stream_delay)
            yield delta
        if cut is not None:
            raise midstream_error(request)
    except (ProviderError, StreamBroken) as exc:
        outcome.error = exc.message if isinstance(exc, ProviderError) else str(exc)
        record_outcome(state, route, context.project.id, failed=exc.transient)
        raise
    outcome.reply = reply
    record_outcome(state, route, context.project.id, failed=False)


def record_stream(
    state: GatewayState,
    context: AuthContext,
    chat: ChatInput,
    route: Route,
    model: str,
    outcome: StreamOutcome,
    request_id: str,
) -> None:
    """A stream's row: `ok` priced by the confirmed model, `error` or `incomplete` at $0.

    An over-long `x-user-id` does not fail a stream: the row is silently not written.
    """
    if chat.user_id is not None and len(chat.user_id) > MAX_USER_ID:
        return
    if outcome.reply is not None:
        latency = int((time.monotonic() - outcome.started) * 1000)
        reply, provider = outcome.reply, route.provider
        record_answer(state, context, chat, provider=provider, reply=reply, latency_ms=latency, request_id=request_id)
    else:
        status: UsageStatus = "error" if outcome.error is not None else "incomplete"
        record(state, context, chat, provider=route.provider, model=model, status=status, request_id=request_id)


__all__ = ["StreamOutcome", "open_stream", "record_stream", "stream_deltas"]
