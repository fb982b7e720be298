"""`POST /v1/chat/completions` (OpenAI-shaped, SSE) and `POST /v1/chat` (native, plain-text stream).

Both run auth -> rate limit -> budget -> validation -> `execute_chat`. They differ in envelopes:
compat answers its own errors with the OpenAI error object and streams SSE; native answers with
`{"detail"}`, adds the `x-llmgw-*` headers and streams bare text with the `\\n[error] ` sentinel.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute

from omnigate_openai.testing._execute import complete, usage
from omnigate_openai.testing._fake_provider import ProviderError, StreamBroken
from omnigate_openai.testing._gatekeeping import admit_chat, authenticate
from omnigate_openai.testing._responses import (
    NATIVE_ERROR_SENTINEL,
    SSE_DONE,
    DetailResponse,
    JSONAnswer,
    OpenAIErrorResponse,
    plain_text,
    sse_error,
    sse_frame,
)
from omnigate_openai.testing._routes._context import endpoint, gateway_state
from omnigate_openai.testing._routing import ChatInput
from omnigate_openai.testing._routing import Route as UpstreamRoute
from omnigate_openai.testing._state import AuthContext, GatewayState
from omnigate_openai.testing._streams import StreamOutcome, open_stream, record_stream, stream_deltas
from omnigate_openai.testing._validation import CompatChatRequest, NativeChatRequest, read_json, validate_body


async def chat_completions(request: Request) -> Response:
    state = gateway_state(request)
    data = await read_json(request)
    context = authenticate(state, request)
    admitted = admit_chat(state, context)
    body = validate_body(CompatChatRequest, data)
    try:
        chat = compat_input(body, request.headers.get("x-user-id"))
    except ValueError as exc:
        return OpenAIErrorResponse(str(exc), status_code=400, headers=admitted)
    if body.stream:
        return _compat_stream(state, context, chat, body, admitted)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    try:
        completion = await complete(state, context, chat, [body.model], cache=None, request_id=completion_id)
    except ProviderError as exc:
        return OpenAIErrorResponse(exc.message, status_code=exc.status_code, headers=admitted)
    answer = completion.body
    return JSONAnswer(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(state.now().timestamp()),
            "model": answer["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer["content"]},
                    "finish_reason": answer["finish_reason"] or "stop",
                }
            ],
            "usage": answer["usage"],
        },
        headers=admitted,
    )


def compat_input(body: CompatChatRequest, user_id: str | None) -> ChatInput:
    """The compat translation: its ValueErrors become 400 `invalid_request_error` answers."""
    if body.n is not None and body.n > 1:
        raise ValueError("n > 1 is not supported")
    messages = []
    for message in body.messages:
        role = "system" if message.role == "developer" else message.role
        if role not in ("system", "user", "assistant"):
            raise ValueError(f"role '{message.role}' not supported")
        if isinstance(message.content, list):
            raise ValueError("multimodal not supported")
        messages.append((role, message.content or ""))
    max_tokens = body.max_tokens if body.max_tokens is not None else body.max_completion_tokens
    return _chat_input(messages, body.stop, user_id, max_tokens, body.temperature, body.top_p, body.seed)


def _chat_input(
    messages: list[tuple[str, str]],
    stop: str | list[str] | None,
    user_id: str | None,
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
    seed: int | None,
) -> ChatInput:
    stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
    return ChatInput(tuple(messages), max_tokens, temperature, top_p, stops, seed, user_id)


def _compat_stream(
    state: GatewayState, context: AuthContext, chat: ChatInput, body: CompatChatRequest, admitted: dict[str, str]
) -> Response:
    try:
        route = open_stream(state, context, body.model)
    except ProviderError as exc:
        return OpenAIErrorResponse(exc.message, status_code=exc.status_code, headers=admitted)
    chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(state.now().timestamp())
    include_usage = bool((body.stream_options or {}).get("include_usage"))

    def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
        envelope = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": body.model}
        return sse_frame({**envelope, "choices": choices, **extra})

    async def frames() -> AsyncIterator[bytes]:
        outcome = StreamOutcome()
        recorded = False
        try:
            yield chunk([{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}])
            try:
                async for delta in stream_deltas(state, context, route, chat, outcome):
                    if delta:
                        yield chunk([{"index": 0, "delta": {"content": delta}, "finish_reason": None}])
            except (ProviderError, StreamBroken):
                # Recorded before [DONE], so a caller that saw the end also sees the usage row.
                record_stream(state, context, chat, route, body.model, outcome, chunk_id)
                recorded = True
                yield sse_error(outcome.error or "")
                yield SSE_DONE
                return
            reply = outcome.reply
            finish = (reply.finish_reason if reply else None) or "stop"
            yield chunk([{"index": 0, "delta": {}, "finish_reason": finish}])
            if include_usage:
                tokens = usage(reply.prompt_tokens, reply.completion_tokens) if reply else usage(0, 0)
                yield chunk([], usage=tokens)
            record_stream(state, context, chat, route, body.model, outcome, chunk_id)
            recorded = True
            yield SSE_DONE
        finally:
            if not recorded:
                record_stream(state, context, chat, route, body.model, StreamOutcome(), chunk_id)

    headers = {**admitted, "x-request-id": chunk_id, "Cache-Control": "no-cache"}
    return StreamingResponse(frames(), media_type="text/event-stream; charset=utf-8", headers=headers)


async def native_chat(request: Request) -> Response:
    state = gateway_state(request)
    data = await read_json(request)
    context = authenticate(state, request)
    admitted = admit_chat(state, context)
    body = validate_body(NativeChatRequest, data)
    chat = _chat_input(
        [(m.role, m.content) for m in body.messages],
        body.stop,
        request.headers.get("x-user-id"),
        body.max_tokens,
        body.temperature,
        body.top_p,
        body.seed,
    )
    if body.stream:
        return _native_stream(state, context, chat, body.model, admitted)
    request_id = str(uuid.uuid4())
    candidates = [body.model, *body.fallback_models]
    try:
        completion = await complete(state, context, chat, candidates, cache=body.cache, request_id=request_id)
    except ProviderError as exc:
        return DetailResponse(exc.message, status_code=exc.status_code)
    headers = {
        **admitted,
        "x-request-id": request_id,
        "x-llmgw-provider": completion.provider,
        "x-llmgw-model": completion.model,
        "x-llmgw-cached": _flag(completion.cached),
        "x-llmgw-fallback": _flag(completion.fallback_used),
    }
    return JSONAnswer(completion.body, headers=headers)


def _native_stream(
    state: GatewayState, context: AuthContext, chat: ChatInput, model: str, admitted: dict[str, str]
) -> Response:
    try:
        route: UpstreamRoute = open_stream(state, context, model)
    except ProviderError as exc:
        return DetailResponse(exc.message, status_code=exc.status_code)
    request_id = str(uuid.uuid4())

    async def text() -> AsyncIterator[bytes]:
        outcome = StreamOutcome()
        finished = False
        try:
            try:
                async for delta in stream_deltas(state, context, route, chat, outcome):
                    yield plain_text(delta)
            except (ProviderError, StreamBroken):
                yield plain_text(NATIVE_ERROR_SENTINEL + (outcome.error or ""))
            finished = True
        finally:
            record_stream(state, context, chat, route, model, outcome if finished else StreamOutcome(), request_id)

    headers = {**admitted, "x-request-id": request_id, "x-llmgw-provider": route.provider, "x-llmgw-model": model}
    return StreamingResponse(text(), media_type="text/plain; charset=utf-8", headers=headers)


def _flag(value: bool) -> str:
    return "true" if value else "false"


routes: list[BaseRoute] = [
    endpoint("/v1/chat/completions", chat_completions, "POST"),
    endpoint("/v1/chat", native_chat, "POST"),
]

__all__ = ["chat_completions", "compat_input", "native_chat", "routes"]
