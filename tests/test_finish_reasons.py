"""Provider-native finish reasons become OpenAI's; the raw value stays readable."""

from __future__ import annotations

from typing import Any

import pytest

from omnigate_openai.omnigate._finish_reasons import normalise_finish_reasons


def _completion(reason: str | None, kind: str = "chat.completion") -> dict[str, Any]:
    return {"object": kind, "choices": [{"index": 0, "finish_reason": reason}]}


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
    ],
)
@pytest.mark.parametrize("kind", ["chat.completion", "chat.completion.chunk"])
def test_native_reasons_are_normalised(raw: str, normalised: str, kind: str) -> None:
    data = _completion(raw, kind)
    assert normalise_finish_reasons(data) == raw
    assert data["choices"][0]["finish_reason"] == normalised


@pytest.mark.parametrize("reason", ["stop", "length", "content_filter", "tool_calls", None])
def test_openai_reasons_pass_unchanged(reason: str | None) -> None:
    data = _completion(reason)
    assert normalise_finish_reasons(data) is None
    assert data["choices"][0]["finish_reason"] == reason


def test_other_objects_are_left_alone() -> None:
    data = {"object": "list", "choices": [{"finish_reason": "STOP"}]}
    assert normalise_finish_reasons(data) is None
    assert data["choices"][0]["finish_reason"] == "STOP"
    assert normalise_finish_reasons(None) is None
