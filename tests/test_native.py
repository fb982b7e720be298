"""The native `/v1/chat` dialect: request translation (lossless or refused) and the answer as a ChatCompletion."""

from __future__ import annotations

from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.omnigate._native import Routing, completion_from_native, is_native_answer, native_chat_body

USER = {"role": "user", "content": "Say hello."}
BASE = {"model": "gpt-4o", "messages": [USER]}


def _native(extra: dict[str, Any], routing: Routing | None = None, **options: bool) -> dict[str, Any]:
    return native_chat_body({**BASE, **extra}, routing or Routing(cache=True), **options)


def test_fields_the_native_body_shares_pass_unchanged() -> None:
    shared = {
        "max_tokens": 64,
        "temperature": 0,
        "top_p": 0.5,
        "stop": ["\n"],
        "presence_penalty": 0.1,
        "frequency_penalty": -0.1,
        "seed": 7,
        "stream": False,
    }
    assert _native(shared) == {**BASE, **shared, "cache": True}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"max_completion_tokens": 30}, {"max_tokens": 30}),
        ({"max_tokens": 10, "max_completion_tokens": 30}, {"max_tokens": 10}),
        ({"messages": [{"role": "developer", "content": "Be brief."}, USER]}, {}),
        (
            {
                "messages": [
                    {"role": "user", "content": [{"type": "text", "text": "Say "}, {"type": "text", "text": "hi"}]}
                ]
            },
            {},
        ),
        ({"messages": [USER, {"role": "assistant", "content": None}]}, {}),
        ({"model": "anthropic/claude-3-5-haiku-latest"}, {"model": "claude-3-5-haiku-latest"}),
        ({"n": 1, "user": "alice", "logprobs": False, "tools": [], "tool_choice": "none"}, {}),
        ({"stream": True, "stream_options": {"include_usage": False}}, {"stream": True}),
        ({"response_format": {"type": "text"}, "temperature": None}, {}),
    ],
)
def test_lossless_rewrites(extra: dict[str, Any], expected: dict[str, Any]) -> None:
    sent = _native(extra)
    for key, value in expected.items():
        assert sent[key] == value
    assert all(m["role"] in ("system", "user", "assistant") and isinstance(m["content"], str) for m in sent["messages"])
    assert not set(sent) - {"model", "messages", "max_tokens", "stream", "cache"}


def test_messages_are_rewritten_role_and_content() -> None:
    sent = _native({"messages": [{"role": "developer", "content": [{"type": "text", "text": "Brief."}]}, USER]})
    assert sent["messages"] == [{"role": "system", "content": "Brief."}, USER]


REFUSED = [  # extra body, field named, a fragment of the message
    ({"tools": [{"type": "function", "function": {"name": "f"}}]}, "tools", "silently ignores `tools`"),
    ({"logit_bias": {"50256": -100}}, "logit_bias", "silently ignores `logit_bias`"),  # on either route
    ({"service_tier": "flex"}, "service_tier", "silently ignores `service_tier`"),  # on either route
    ({"prediction": {"type": "content", "content": "x"}}, "prediction", "silently ignores `prediction`"),
    ({"stream": True, "stream_options": {"include_usage": True}}, "stream_options.include_usage", "carries no usage"),
    ({"messages": [{"role": "tool", "content": "42"}]}, "messages[0].role", "rejects `tool` messages"),
    ({"messages": [{"role": "critic", "content": "x"}]}, "messages[0].role", "has role 'critic'"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "messages[0].content[0]", "'image_url'"),
    ({"n": 2}, "n", "`n=2` is not supported"),
]


@pytest.mark.parametrize(("extra", "field", "fragment"), REFUSED, ids=[row[1] for row in REFUSED])
def test_what_the_native_body_cannot_carry_is_refused(extra: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(og.UnsupportedFeatureError) as caught:
        _native(extra)
    assert caught.value.field == field
    assert fragment in str(caught.value)


@pytest.mark.parametrize("field", ["presence_penalty", "frequency_penalty", "seed"])
def test_sampling_fields_are_refused_where_a_candidate_would_drop_them(field: str) -> None:
    """The native route forwards them to the same providers: a fallback to Claude would answer without them."""
    with pytest.raises(og.UnsupportedFeatureError, match=f"forwards `{field}` to OpenAI and Azure only") as caught:
        _native({field: 1, "model": "claude-3-5-haiku-latest"})
    assert caught.value.field == field
    with pytest.raises(og.UnsupportedFeatureError, match=r"fallback model 'gemini-1\.5-flash' goes to Gemini") as got:
        _native({field: 1}, Routing(fallbacks=["gpt-4o-mini", "google/gemini-1.5-flash"]))
    assert got.value.field == field
    assert _native({field: 1}, Routing(fallbacks=["gpt-4o-mini", "azure/prod"]))[field] == 1
    assert _native({field: 1}, Routing(fallbacks=["claude-3-5-haiku-latest"]), allow_ignored_fields=True)[field] == 1


def test_metadata_is_left_out_as_the_compat_route_sends_it() -> None:
    """OpenAI keeps `metadata` only on a stored completion (`store=True` is refused): nothing to lose, so a call with
    `metadata` works with routing as it does without."""
    assert "metadata" not in _native({"metadata": {"run": "7"}})


def test_the_opt_out_drops_what_native_ignores_anyway() -> None:
    assert "logit_bias" not in _native({"logit_bias": {"1": 1}}, allow_ignored_fields=True)


def test_streams_cannot_fall_back() -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="no fallback for streams") as caught:
        _native({"stream": True}, Routing(fallbacks=["gpt-4o-mini"]))
    assert caught.value.field == "fallback_models"


def test_routing_validates_fallbacks() -> None:
    assert Routing(fallbacks=["anthropic/claude-3-5-haiku-latest", "openai/gpt-4o"]).fallbacks == (
        "claude-3-5-haiku-latest",
        "gpt-4o",
    )
    with pytest.raises(og.UnsupportedFeatureError, match="at most 5 fallback models; got 6") as caught:
        Routing(fallbacks=["gpt-4o"] * 6)
    assert caught.value.field == "fallback_models"
    with pytest.raises(TypeError, match="as a list of model names, got 'gpt-4o'"):
        Routing(fallbacks="gpt-4o")
    with pytest.raises(ValueError, match="non-empty model name, got ''"):
        Routing(fallbacks=[""])
    with pytest.raises(TypeError, match="cache=True, False or None, got 'yes'"):
        Routing(cache="yes")  # type: ignore[arg-type]
    assert not Routing()
    assert Routing(cache=False)
    assert Routing(fallbacks=["gpt-4o"]) == Routing(fallbacks=["openai/gpt-4o"])
    assert repr(Routing(cache=True)) == "Routing(fallbacks=[], cache=True)"


NATIVE = {
    "id": "msg_01",
    "provider": "anthropic",
    "model": "claude-3-5-haiku-20241022",
    "content": "Hello there! How can I help?",
    "usage": {"prompt_tokens": 9, "completion_tokens": 8, "total_tokens": 17},
    "cost_usd": 6e-06,
    "finish_reason": "end_turn",
    "cached": False,
    "fallback_used": True,
    "latency_ms": 12,
}


def test_a_chat_response_becomes_a_chat_completion() -> None:
    assert is_native_answer(NATIVE)
    completion, facts = completion_from_native(NATIVE, {"date": "Mon, 23 Nov 2026 07:16:10 GMT"})
    assert completion == {
        "id": "msg_01",
        "object": "chat.completion",
        "created": 1795418170,
        "model": "claude-3-5-haiku-20241022",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello there! How can I help?"},
                "finish_reason": "end_turn",
                "logprobs": None,
            }
        ],
        "usage": NATIVE["usage"],
    }
    assert (facts.provider, facts.cost_usd, facts.cached, facts.fallback_used, facts.latency_ms) == (
        "anthropic",
        6e-06,
        False,
        True,
        12,
    )


def test_a_chat_response_without_finish_reason_or_date_still_builds() -> None:
    completion, facts = completion_from_native({**NATIVE, "finish_reason": None, "cost_usd": "x"}, {})
    assert completion["choices"][0]["finish_reason"] == "stop"
    assert isinstance(completion["created"], int)
    assert facts.cost_usd is None
    assert not is_native_answer({"object": "chat.completion", "provider": "x", "content": ""})


def test_a_message_that_is_not_a_mapping_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"Expected messages\[1\] to be a mapping, got 'hi'"):
        _native({"messages": [USER, "hi"]})
