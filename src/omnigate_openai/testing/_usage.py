"""Writing `usage_records` rows, which feed `/v1/metrics`, the budgets and `GET /metrics`."""

from __future__ import annotations

import uuid
from decimal import Decimal

from omnigate_openai.omnigate._pricing import cost_decimal
from omnigate_openai.testing._fake_provider import UpstreamReply
from omnigate_openai.testing._interrupts import ServerFault
from omnigate_openai.testing._routing import ChatInput
from omnigate_openai.testing._state import AuthContext, GatewayState, UsageRecord, UsageStatus

MAX_USER_ID = 255
"""`usage_records.user_id` is a `String(255)`: a longer `x-user-id` makes the insert fail."""


def record(
    state: GatewayState,
    context: AuthContext,
    chat: ChatInput,
    *,
    provider: str,
    model: str,
    status: UsageStatus,
    reply: UpstreamReply | None = None,
    cost: Decimal | None = None,
    latency_ms: int = 0,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    request_id: str | None = None,
) -> None:
    """Insert the usage row; like the server's insert, it fails on an over-long `x-user-id`."""
    if chat.user_id is not None and len(chat.user_id) > MAX_USER_ID:
        raise ServerFault("value too long for type character varying(255)")
    if reply is not None:
        prompt_tokens, completion_tokens = reply.prompt_tokens, reply.completion_tokens
    state.record_usage(
        UsageRecord(
            request_id=request_id or uuid.uuid4().hex,
            project_id=context.project.id,
            org_id=context.org.id,
            user_id=chat.user_id,
            provider=provider,
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost if cost is not None else Decimal(0),
            latency_ms=latency_ms,
            status=status,
            created_at=state.now(),
        )
    )


def record_answer(
    state: GatewayState,
    context: AuthContext,
    chat: ChatInput,
    *,
    provider: str,
    reply: UpstreamReply,
    latency_ms: int,
    request_id: str,
) -> Decimal:
    """Insert an answered call's `ok` row, priced by the model the provider confirmed; returns that cost."""
    cost = cost_decimal(reply.model, reply.prompt_tokens, reply.completion_tokens)
    record(
        state,
        context,
        chat,
        provider=provider,
        model=reply.model,
        status="ok",
        reply=reply,
        cost=cost,
        latency_ms=latency_ms,
        request_id=request_id,
    )
    return cost


__all__ = ["MAX_USER_ID", "record", "record_answer"]
