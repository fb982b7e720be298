"""The native `/v1/chat` dialect, spoken for the OpenAI-shaped call: its request body, answer and text stream.

OmniGate's fallbacks and response cache exist only on `/v1/chat`, whose `ChatRequest` is narrower
than OpenAI's and whose `ChatResponse` is not a `chat.completion`. A compat body is translated
without loss or refused naming the field; the answer comes back as the `chat.completion` (and the
plain-text stream as the `chat.completion.chunk`s) the caller asked for.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .._exceptions import UnsupportedFeatureError
from .._meta import GatewayMeta
from ._requests import checked_chat_body, gateway_model_name, refuse_unforwarded_fields

__all__ = [
    "MAX_FALLBACKS",
    "Routing",
    "completion_from_native",
    "is_native_answer",
    "native_chat_body",
    "native_chunk",
    "unix_time",
]

MAX_FALLBACKS = 5
"""`ChatRequest.fallback_models` holds at most 5 names; 6 get a 422."""

_SAME_NAME: tuple[str, ...] = ("model", "messages", "max_tokens", "temperature", "top_p", "stop", "seed", "stream")
_SAME_NAME += ("presence_penalty", "frequency_penalty")
_ROLES = {"system": "system", "user": "user", "assistant": "assistant", "developer": "system"}
_NOTHING_LOST = frozenset({"user", "stream_options", "metadata"})
"""Compat fields the native body has no place for, but that lose nothing: `user` is sent as `x-user-id`,
stream options other than usage change nothing the native stream sends, and OpenAI keeps `metadata`
only on a stored completion (`store=True` is refused on either route)."""


class Routing:
    """Fallback models and the response-cache switch: what only the native `/v1/chat` honours."""

    __slots__ = ("cache", "fallbacks")

    def __init__(self, *, fallbacks: Sequence[str] = (), cache: bool | None = None) -> None:
        self.fallbacks = checked_fallbacks(fallbacks)
        if cache is not None and not isinstance(cache, bool):
            raise TypeError(f"Expected cache=True, False or None, got {cache!r}")
        self.cache = cache

    def __bool__(self) -> bool:
        return bool(self.fallbacks) or self.cache is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Routing) and (self.fallbacks, self.cache) == (other.fallbacks, other.cache)

    def __hash__(self) -> int:
        return hash((self.fallbacks, self.cache))

    def __repr__(self) -> str:
        return f"Routing(fallbacks={list(self.fallbacks)!r}, cache={self.cache!r})"


def checked_fallbacks(fallbacks: object) -> tuple[str, ...]:
    """Portable names made bare (`anthropic/claude-…`), at most five, each a non-empty string."""
    if isinstance(fallbacks, str) or not isinstance(fallbacks, Sequence):
        raise TypeError(f"Expected fallback models as a list of model names, got {fallbacks!r}")
    if len(fallbacks) > MAX_FALLBACKS:
        raise UnsupportedFeatureError(
            f"OmniGate tries at most {MAX_FALLBACKS} fallback models; got {len(fallbacks)}: {list(fallbacks)!r}",
            field="fallback_models",
        )
    return tuple(gateway_model_name(model) for model in fallbacks)


def native_chat_body(
    body: Mapping[str, Any], routing: Routing, *, allow_ignored_fields: bool = False
) -> dict[str, Any]:
    """The `ChatRequest` for a compat body, or `UnsupportedFeatureError` naming what it cannot carry.

    `body` already holds the caller's `extra_body`. Lossless rewrites: `developer` -> `system`,
    `max_completion_tokens` -> `max_tokens`, text parts -> one string, `null` content -> "".
    """
    compat = checked_chat_body(body, {}, allow_ignored_fields=allow_ignored_fields)
    for fallback in () if allow_ignored_fields else routing.fallbacks:  # any candidate may answer
        refuse_unforwarded_fields(compat, fallback, fallback=True)
    if compat.get("stream") and routing.fallbacks:
        raise UnsupportedFeatureError(
            "OmniGate has no fallback for streams: its native stream calls the primary model only; "
            "drop `fallback_models` (or `with_routing(fallbacks=...)`) for this call, or don't stream",
            field="fallback_models",
        )
    native: dict[str, Any] = {key: compat[key] for key in _SAME_NAME if compat.get(key) is not None}
    if native.get("max_tokens") is None and compat.get("max_completion_tokens") is not None:
        native["max_tokens"] = compat["max_completion_tokens"]
    native["messages"] = [_native_message(index, message) for index, message in enumerate(compat.get("messages", ()))]
    leftover = {key: value for key, value in compat.items() if key not in _SAME_NAME}
    leftover.pop("max_completion_tokens", None)
    leftover.pop("fallback_models", None)
    leftover.pop("cache", None)
    _refuse_what_is_lost(leftover, allow_ignored_fields=allow_ignored_fields)
    if routing.fallbacks:
        native["fallback_models"] = list(routing.fallbacks)
    if routing.cache is not None:
        native["cache"] = routing.cache
    return native


def _native_message(index: int, message: Any) -> dict[str, str]:
    if not isinstance(message, Mapping):
        raise TypeError(f"Expected messages[{index}] to be a mapping, got {message!r}")
    role = message.get("role")
    if role not in _ROLES:
        raise UnsupportedFeatureError(
            f"OmniGate's native chat accepts system, user, assistant (and developer) messages; "
            f"messages[{index}] has role {role!r}",
            field=f"messages[{index}].role",
        )
    content = message.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise UnsupportedFeatureError(
            f"OmniGate's native chat accepts text content only; messages[{index}].content is {content!r}",
            field=f"messages[{index}].content",
        )
    return {"role": _ROLES[role], "content": content}


def _refuse_what_is_lost(leftover: Mapping[str, Any], *, allow_ignored_fields: bool) -> None:
    for field, value in leftover.items():
        if field == "stream_options" and isinstance(value, Mapping) and value.get("include_usage"):
            raise UnsupportedFeatureError(
                "OmniGate's native stream (used for routed calls) carries no usage; "
                "drop `stream_options.include_usage`, or the routing options, for this call",
                field="stream_options.include_usage",
            )
        if field in _NOTHING_LOST or _means_nothing(value) or allow_ignored_fields:
            continue
        raise UnsupportedFeatureError(
            f"OmniGate's native chat (used for fallbacks and the cache) has no `{field}`, so the answer would "
            "not honour it; remove it, or pass `allow_ignored_fields=True` to the client to send it anyway.",
            field=field,
        )


def _means_nothing(value: object) -> bool:
    """`None`, `False`, `[]`, `{}`, `n=1`, `tool_choice="none"`: values that ask for nothing the body lacks."""
    if value is None or value is False or (value == 1 and not isinstance(value, bool)):
        return True
    if isinstance(value, (list, dict)) and not value:
        return True
    if isinstance(value, Mapping) and value.get("type") == "text":  # response_format
        return len(value) == 1
    return value in ("none", "auto")


def is_native_answer(data: object) -> bool:
    """A `ChatResponse` of `/v1/chat` (not a `chat.completion`): it has `provider` and `content`."""
    return isinstance(data, dict) and "object" not in data and "provider" in data and "content" in data


def completion_from_native(data: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[dict[str, Any], GatewayMeta]:
    """The `chat.completion` a `ChatResponse` means, and the facts only the native answer carries."""
    completion = {
        "id": data.get("id") or headers.get("x-request-id") or "",
        "object": "chat.completion",
        "created": unix_time(headers),
        "model": data.get("model") or headers.get("x-llmgw-model") or "",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": data.get("content") or ""},
                "finish_reason": data.get("finish_reason") or "stop",
                "logprobs": None,
            }
        ],
        "usage": data.get("usage"),
    }
    facts = GatewayMeta(
        provider=_text(data.get("provider")),
        model=_text(data.get("model")),
        cost_usd=_number(data.get("cost_usd")),
        cached=data.get("cached") if isinstance(data.get("cached"), bool) else None,
        fallback_used=data.get("fallback_used") if isinstance(data.get("fallback_used"), bool) else None,
        latency_ms=data.get("latency_ms") if isinstance(data.get("latency_ms"), int) else None,
    )
    return completion, facts


def native_chunk(
    *, chunk_id: str, created: int, model: str, content: str | None, first: bool, finish_reason: str | None = None
) -> dict[str, Any]:
    """One `chat.completion.chunk` of the native text stream (which has no framing of its own)."""
    delta: dict[str, Any] = {}
    if first:
        delta["role"] = "assistant"
    if content is not None:
        delta["content"] = content
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }


def unix_time(headers: Mapping[str, str]) -> int:
    """When the gateway answered (its `date` header), so a replayed answer keeps its recorded time."""
    try:
        return int(email.utils.parsedate_to_datetime(headers["date"]).timestamp())
    except (KeyError, TypeError, ValueError, IndexError):
        return int(time.time())


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)
