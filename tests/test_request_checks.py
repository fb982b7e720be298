"""What the client refuses, rewrites and passes, before anything reaches the gateway."""

from __future__ import annotations

import re
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.omnigate._requests import checked_chat_body, gateway_model_name

HELLO = [{"role": "user", "content": "Say hello."}]


def _check(body: dict[str, Any], extra: dict[str, Any] | None = None, *, allow: bool = False) -> dict[str, Any]:
    return checked_chat_body(
        {"model": "gpt-4o-mini", "messages": HELLO, **body}, extra or {}, allow_ignored_fields=allow
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]}, "tools"),
        ({"tool_choice": "required"}, "tool_choice"),
        ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, "tool_choice"),
        ({"functions": [{"name": "f", "parameters": {}}]}, "functions"),
        ({"function_call": {"name": "f"}}, "function_call"),
        ({"response_format": {"type": "json_object"}}, "response_format"),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}}, "response_format"),
        ({"logprobs": True}, "logprobs"),
        ({"top_logprobs": 3}, "top_logprobs"),
        ({"reasoning_effort": "high"}, "reasoning_effort"),
        ({"reasoning_effort": "minimal"}, "reasoning_effort"),
        ({"logit_bias": {"1734": -100}}, "logit_bias"),
        ({"web_search_options": {}}, "web_search_options"),
        ({"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}}, "modalities"),
        ({"audio": {"voice": "alloy", "format": "wav"}}, "audio"),
        ({"service_tier": "priority"}, "service_tier"),
        ({"service_tier": "flex"}, "service_tier"),
        ({"store": True}, "store"),
    ],
)
def test_fields_the_gateway_would_ignore_are_refused(body: dict[str, Any], field: str) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match=f"silently ignores `{field}`") as caught:
        _check(body)
    assert caught.value.field == field
    assert "allow_ignored_fields=True" in str(caught.value)


def test_the_opt_out_sends_ignorable_fields_unchanged() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    assert _check({"tools": tools, "response_format": {"type": "json_object"}}, allow=True)["tools"] == tools


def test_extra_body_is_checked_too() -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="`fallback_models`"):
        _check({}, {"fallback_models": ["claude-3-5-haiku-latest"]})
    with pytest.raises(og.UnsupportedFeatureError, match="`cache`"):
        _check({}, {"cache": True})


@pytest.mark.parametrize(
    "body",
    [
        {"tools": []},
        {"tool_choice": "auto"},
        {"tool_choice": "none"},
        {"response_format": {"type": "text"}},
        {"logprobs": False},
        {"n": 1},
        {"reasoning_effort": "none"},
        {"logit_bias": {}, "modalities": ["text"], "web_search_options": None},
        {"user": "u-1", "seed": 3, "temperature": 0.2, "stop": ["x"]},
        {"service_tier": "auto", "store": False},
        {"service_tier": "default"},
    ],
)
def test_harmless_values_pass(body: dict[str, Any]) -> None:
    assert _check(body)["messages"] == HELLO


def test_n_above_one_is_refused_even_with_the_opt_out() -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="`n=2` is not supported") as caught:
        _check({"n": 2}, allow=True)
    assert caught.value.field == "n"


@pytest.mark.parametrize("role", ["tool", "function"])
def test_tool_roles_are_refused(role: str) -> None:
    messages = [*HELLO, {"role": role, "content": "42", "tool_call_id": "c1"}]
    with pytest.raises(og.UnsupportedFeatureError, match=f"rejects `{role}` messages") as caught:
        checked_chat_body({"model": "gpt-4o", "messages": messages}, {}, allow_ignored_fields=True)
    assert caught.value.field == "messages[1].role"


def test_assistant_tool_calls_are_refused() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    messages = [*HELLO, {"role": "assistant", "content": None, "tool_calls": [call]}]
    with pytest.raises(og.UnsupportedFeatureError, match="drops `tool_calls`") as caught:
        checked_chat_body({"model": "gpt-4o", "messages": messages}, {}, allow_ignored_fields=False)
    assert caught.value.field == "messages[1].tool_calls"


def test_text_only_parts_are_flattened_one_per_line() -> None:
    """Separate parts stay separate: `Say` + `hello.` must not become `Sayhello.`."""
    parts = [{"type": "text", "text": "Say"}, {"type": "text", "text": "hello."}]
    body = _check({"messages": [{"role": "user", "content": parts}]})
    assert body["messages"] == [{"role": "user", "content": "Say\nhello."}]


def test_non_text_parts_are_refused() -> None:
    parts = [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": "data:,"}}]
    with pytest.raises(
        og.UnsupportedFeatureError, match=re.escape("text only; messages[0].content[1] is of type 'image_url'")
    ):
        _check({"messages": [{"role": "user", "content": parts}]})


def test_the_callers_body_is_not_mutated() -> None:
    parts = [{"type": "text", "text": "hi"}]
    original = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": parts}]}
    checked_chat_body(original, {}, allow_ignored_fields=False)
    assert original == {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": parts}]}


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("openai/gpt-4o", "gpt-4o"),
        ("anthropic/claude-3-5-haiku-latest", "claude-3-5-haiku-latest"),
        ("google/gemini-1.5-flash", "gemini-1.5-flash"),
        ("gemini/gemini-2.0-flash", "gemini-2.0-flash"),
        ("OpenAI/gpt-4o", "gpt-4o"),
        ("azure/my-deployment", "azure/my-deployment"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("models/gemini-1.5-pro", "models/gemini-1.5-pro"),
    ],
)
def test_portable_model_names(given: str, sent: str) -> None:
    assert gateway_model_name(given) == sent
    assert _check({"model": given})["model"] == sent


@pytest.mark.parametrize("model", ["", "   "])
def test_an_empty_model_is_refused(model: str) -> None:
    with pytest.raises(ValueError, match="Expected a non-empty model name"):
        gateway_model_name(model)


def test_an_assistant_refusal_is_what_the_assistant_said() -> None:
    """The SDK hands back a refused answer as `refusal` (content None) or a `refusal` part: the gateway keeps
    text only, so the model would otherwise see its refusal turn as empty."""
    parts = [{"type": "text", "text": "Well."}, {"type": "refusal", "refusal": "I can't help with that."}]
    as_parts = _check({"messages": [*HELLO, {"role": "assistant", "content": parts}]})["messages"][1]
    assert as_parts == {"role": "assistant", "content": "Well.\nI can't help with that."}
    as_field = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
    assert _check({"messages": [*HELLO, as_field]})["messages"][1]["content"] == "I can't help with that."
    with pytest.raises(og.UnsupportedFeatureError, match=re.escape("messages[0].content[0] is of type 'refusal'")):
        _check({"messages": [{"role": "user", "content": [{"type": "refusal", "refusal": "no"}]}]})


def test_a_refusal_reaches_the_gateway_as_the_assistants_text(client: og.OpenAI, local_gateway: Any) -> None:
    refused = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
    client.chat.completions.create(model="gpt-4o-mini", messages=[*HELLO, refused, *HELLO])  # type: ignore[list-item]
    assert local_gateway.calls.last.json["messages"][1] == {"role": "assistant", "content": "I can't help with that."}


# -- fields OmniGate forwards to OpenAI and Azure only ---------------------------------------------

SAMPLING = [({"presence_penalty": 0.5}, "presence_penalty"), ({"frequency_penalty": -1}, "frequency_penalty")]
SAMPLING += [({"seed": 7}, "seed"), ({"seed": 0}, "seed")]
DROPPING = [  # a model, how the message names where it goes
    ("claude-3-5-haiku-latest", "goes to Anthropic"),
    ("anthropic/claude-3-5-haiku-latest", "goes to Anthropic"),
    ("gemini-1.5-flash", "goes to Gemini"),
    ("models/gemini-1.5-pro", "goes to Gemini"),
    ("google/gemini-2.0-flash", "goes to Gemini"),
    ("CLAUDE-3-opus", "goes to Anthropic"),
]


@pytest.mark.parametrize(("body", "field"), SAMPLING)
@pytest.mark.parametrize(("model", "where"), DROPPING)
def test_sampling_fields_are_refused_where_the_provider_drops_them(
    body: dict[str, Any], field: str, model: str, where: str
) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match=f"forwards `{field}` to OpenAI and Azure only") as caught:
        _check({**body, "model": model})
    assert caught.value.field == field
    assert f"model {model!r} {where}" in str(caught.value)
    assert "allow_ignored_fields=True" in str(caught.value)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "openai/gpt-4o", "o3-mini", "chatgpt-4o-latest", "azure/prod"])
def test_sampling_fields_reach_openai_and_azure(model: str) -> None:
    sampling = {"presence_penalty": 0.5, "frequency_penalty": -1, "seed": 7}
    sent = _check({**sampling, "model": model})
    assert {key: sent[key] for key in sampling} == sampling


@pytest.mark.parametrize(
    "body",
    [
        {"presence_penalty": None, "frequency_penalty": None, "seed": None},
        {"presence_penalty": 0, "frequency_penalty": 0.0},  # OpenAI's defaults: dropping them changes nothing
    ],
)
def test_sampling_fields_that_ask_for_nothing_pass_to_any_provider(body: dict[str, Any]) -> None:
    assert _check({**body, "model": "claude-3-5-haiku-latest"})["messages"] == HELLO


def test_sampling_fields_in_extra_body_are_checked_too() -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="`seed`"):
        _check({"model": "gemini-1.5-flash"}, {"seed": 1})
    with pytest.raises(og.UnsupportedFeatureError, match="'claude-3-5-haiku-latest' goes to Anthropic"):
        _check({"seed": 1}, {"model": "claude-3-5-haiku-latest"})  # the model the SDK will send


def test_the_opt_out_sends_sampling_fields_to_any_provider() -> None:
    assert _check({"seed": 7, "model": "claude-3-5-haiku-latest"}, allow=True)["seed"] == 7


# -- prediction and metadata ---------------------------------------------------------------------


def test_a_prediction_is_refused_it_would_not_speed_anything_up() -> None:
    prediction = {"type": "content", "content": "def f():\n    return 1\n"}
    with pytest.raises(og.UnsupportedFeatureError, match="silently ignores `prediction`") as caught:
        _check({"prediction": prediction})
    assert caught.value.field == "prediction"
    assert "would not be sped up by it" in str(caught.value)
    assert "allow_ignored_fields=True" in str(caught.value)
    assert _check({"prediction": prediction}, allow=True)["prediction"] == prediction
    assert "prediction" in _check({"prediction": None})


def test_metadata_without_store_is_sent_unchanged() -> None:
    """OpenAI keeps `metadata` only on a stored completion (`store=True`, refused): without it nothing is lost."""
    assert _check({"metadata": {"run": "7"}})["metadata"] == {"run": "7"}
    assert _check({"metadata": {"run": "7"}, "store": False})["metadata"] == {"run": "7"}
    with pytest.raises(og.UnsupportedFeatureError, match="silently ignores `store`"):
        _check({"metadata": {"run": "7"}, "store": True})
