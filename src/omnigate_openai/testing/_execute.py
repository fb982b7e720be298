"""The gateway's `execute_chat` for non-stream calls: response cache, circuit breaker, retries, fallbacks.

Both chat routes drive this module; they differ only in envelopes. Streams (see `_streams`) get the
breaker and nothing else.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from omnigate_openai.testing._fake_provider import (
    LABELS,
    ProviderError,
    UpstreamReply,
    UpstreamRequest,
    answer,
    marker_fault,
)
from omnigate_openai.testing._faults import UpstreamFault
from omnigate_openai.testing._routing import ChatInput, Route, resolve_route, upstream_request
from omnigate_openai.testing._state import AuthContext, CachedAnswer, GatewayState
from omnigate_openai.testing._usage import record, record_answer


class CircuitOpen(ProviderError):
    """The candidate's breaker is open: a 503 that never reached the provider and is not recorded."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"{provider} circuit is open", 503)


@dataclass(frozen=True)
class Completion:
    """A non-stream answer: the `ChatResponse` body of `/v1/chat`, from which compat builds its own."""

    body: dict[str, Any]
    provider: str
    model: str
    cached: bool
    fallback_used: bool


async def complete(
    state: GatewayState,
    context: AuthContext,
    chat: ChatInput,
    models: Sequence[str],
    *,
    cache: bool | None,
    request_id: str,
) -> Completion:
    """Try the primary, then each fallback; the error raised is the last candidate's.

    `request_id` is what the usage rows are filed under: the native route's `x-request-id`, or the
    compat body's `id` (which is why compat's header and body ids differ).
    """
    candidates = list(dict.fromkeys(models))[:6]
    use_cache = chat.temperature == 0 and (state.settings.cache_enabled or cache is True) and cache is not False
    last_error = ProviderError("No provider candidate could handle the request", 502)
    for index, model in enumerate(candidates):
        try:
            route = resolve_route(state, context, model)
        except ProviderError as exc:
            last_error = exc
            continue
        cache_key = _cache_key(context, route, chat) if use_cache and index == 0 else None
        if cache_key is not None:
            hit = _cache_hit(state, context, chat, cache_key, request_id)
            if hit is not None:
                return hit
        started = time.monotonic()
        try:
            reply = await call_upstream(state, context, route, chat)
        except ProviderError as exc:
            last_error = exc
            if not isinstance(exc, CircuitOpen):
                record(
                    state, context, chat, provider=route.provider, model=model, status="error", request_id=request_id
                )
            continue
        latency = int((time.monotonic() - started) * 1000)
        cost = record_answer(
            state, context, chat, provider=route.provider, reply=reply, latency_ms=latency, request_id=request_id
        )
        body = chat_response(
            reply, route.provider, cost=float(cost), cached=False, fallback_used=index > 0, latency_ms=latency
        )
        if cache_key is not None:
            expires = time.monotonic() + state.settings.cache_ttl
            with state.lock:
                state.response_cache[cache_key] = CachedAnswer(body, expires)
        return Completion(body, route.provider, reply.model, cached=False, fallback_used=index > 0)
    raise last_error


async def call_upstream(state: GatewayState, context: AuthContext, route: Route, chat: ChatInput) -> UpstreamReply:
    """One candidate: the breaker, then up to `retry_attempts` attempts with the server's backoff."""
    project_id = context.project.id
    if not state.breaker.allows(route.provider, project_id):
        raise CircuitOpen(route.provider)
    request = upstream_request(route, chat)
    fault = state.faults.take_upstream(route.provider, route.upstream_model, stream=False) or marker_fault(request)
    attempts = max(1, state.settings.retry_attempts)
    for attempt in range(attempts):
        try:
            reply = await _attempt(state, request, fault)
        except ProviderError as exc:
            if exc.transient and attempt + 1 < attempts:
                await asyncio.sleep(_backoff(state, attempt, exc))
                continue
            record_outcome(state, route, project_id, failed=exc.transient)
            raise
        record_outcome(state, route, project_id, failed=False)
        return reply
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


async def _attempt(state: GatewayState, request: UpstreamRequest, fault: UpstreamFault | None) -> UpstreamReply:
    if fault is not None and fault.kind == "slow":
        if fault.value >= state.settings.provider_timeout:
            await asyncio.sleep(state.settings.provider_timeout)
            raise ProviderError(f"{LABELS[request.provider]} request failed: timed out", 502)
        await asyncio.sleep(fault.value)
    return answer(
        request,
        fault,
        reply=state.model.reply(request.model, request.messages, plain=state.settings.reply),
        also_serves=state.settings.extra_models,
    )


def _backoff(state: GatewayState, attempt: int, exc: ProviderError) -> float:
    """0.25 s * 2^attempt (capped at 8 s) plus up to 0.25 s jitter; a longer 429 Retry-After wins."""
    delay = min(0.25 * 2**attempt, 8.0) + random.uniform(0, 0.25)
    if exc.status_code == 429 and exc.retry_after is not None:
        delay = max(delay, exc.retry_after)
    return float(delay * state.settings.backoff_scale)


def record_outcome(state: GatewayState, route: Route, project_id: uuid.UUID, *, failed: bool) -> None:
    if failed:
        state.breaker.record_failure(route.provider, project_id)
    else:
        state.breaker.record_success(route.provider, project_id)


def chat_response(
    reply: UpstreamReply, provider: str, *, cost: float, cached: bool, fallback_used: bool, latency_ms: int
) -> dict[str, Any]:
    """The native `ChatResponse` body, in the server's key order."""
    return {
        "id": reply.id,
        "provider": provider,
        "model": reply.model,
        "content": reply.text,
        "usage": usage(reply.prompt_tokens, reply.completion_tokens),
        "cost_usd": cost,
        "finish_reason": reply.finish_reason,
        "cached": cached,
        "fallback_used": fallback_used,
        "latency_ms": latency_ms,
    }


def usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _cache_key(context: AuthContext, route: Route, chat: ChatInput) -> str:
    """The server's key: penalties are left out of it, so requests differing only in those collide."""
    material = {
        "project_id": str(context.project.id),
        "provider": route.provider,
        "model": route.upstream_model,
        "messages": [list(m) for m in chat.messages],
        "max_tokens": chat.max_tokens,
        "top_p": chat.top_p,
        "stop": list(chat.stop),
        "seed": chat.seed,
    }
    return "respcache:" + hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def _cache_hit(
    state: GatewayState, context: AuthContext, chat: ChatInput, key: str, request_id: str
) -> Completion | None:
    with state.lock:
        stored = state.response_cache.get(key)
        if stored is not None and stored.expires_at <= time.monotonic():
            del state.response_cache[key]
            stored = None
    if stored is None:
        return None
    body = {**stored.body, "cost_usd": 0.0, "cached": True, "fallback_used": False, "latency_ms": 0}
    tokens = body["usage"]
    record(
        state,
        context,
        chat,
        provider=str(body["provider"]),
        model=str(body["model"]),
        status="cache_hit",
        prompt_tokens=int(tokens["prompt_tokens"]),
        completion_tokens=int(tokens["completion_tokens"]),
        request_id=request_id,
    )
    return Completion(body, str(body["provider"]), str(body["model"]), cached=True, fallback_used=False)


__all__ = ["CircuitOpen", "Completion", "call_upstream", "chat_response", "complete", "record_outcome", "usage"]
