"""Provider-native finish reasons (`end_turn`, `STOP`, ...) rewritten to OpenAI's, raw value kept.

OmniGate passes each provider's own value through, in completions and in stream chunks alike;
typed consumers of `ChatCompletion` expect `stop`, `length`, `tool_calls` or `content_filter`.
"""

from __future__ import annotations

from typing import Any

from ._wire import FINISH_REASONS

__all__ = ["normalise_finish_reasons"]

_CHAT_OBJECTS = frozenset({"chat.completion", "chat.completion.chunk"})


def normalise_finish_reasons(data: Any) -> str | None:
    """Rewrite `data`'s choices in place; return the raw value that was replaced, if any."""
    if not isinstance(data, dict) or data.get("object") not in _CHAT_OBJECTS:
        return None
    replaced = None
    for choice in data.get("choices") or ():
        raw = choice.get("finish_reason") if isinstance(choice, dict) else None
        if raw is not None and raw in FINISH_REASONS:
            choice["finish_reason"] = FINISH_REASONS[raw]
            replaced = raw
    return replaced
