"""What the gateway cannot serve through `client.responses` is refused before sending, naming it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai._sdk import OPENAI_MAJOR
from omnigate_openai.testing import LocalGateway

HI: dict[str, Any] = {"model": "gpt-4o-mini", "input": "Hi"}


@dataclasses.dataclass(frozen=True)
class Refusal:
    name: str
    call: Callable[[Any], Any]
    """What the test does with `client.responses` (sync; the async driver awaits the same call)."""
    field: str
    says: str
    raises: type[Exception] = og.UnsupportedFeatureError


def _create(**fields: Any) -> Callable[[Any], Any]:
    return lambda responses: responses.create(**{**HI, **fields})


REFUSALS = [
    Refusal("web_search", _create(tools=[{"type": "web_search"}]), "tools[0]", "no built-in tools"),
    Refusal(
        "file_search",
        _create(tools=[{"type": "file_search", "vector_store_ids": ["vs_1"]}]),
        "tools[0]",
        "'file_search'",
    ),
    Refusal(
        "code_interpreter",
        _create(tools=[{"type": "code_interpreter", "container": {"type": "auto"}}]),
        "tools[0]",
        "'code_interpreter'",
    ),
    Refusal(
        "computer_use",
        _create(
            tools=[{"type": "computer_use_preview", "display_width": 1, "display_height": 1, "environment": "linux"}]
        ),
        "tools[0]",
        "'computer_use_preview'",
    ),
    Refusal("image_generation", _create(tools=[{"type": "image_generation"}]), "tools[0]", "'image_generation'"),
    Refusal(
        "mcp",
        _create(tools=[{"type": "mcp", "server_label": "x", "server_url": "https://example.invalid"}]),
        "tools[0]",
        "'mcp'",
    ),
    Refusal("local_shell", _create(tools=[{"type": "local_shell"}]), "tools[0]", "'local_shell'"),
    Refusal(  # chat's custom tools pass on natively on Flow, but Responses is served by function tools only
        "a streamed custom tool",
        _create(tools=[{"type": "custom", "name": "shell"}], stream=True),
        "tools[0]",
        "not a custom tool's free-form input; only `function` tools can be served (this one is 'custom')",
    ),
    Refusal(
        "a built-in tool after a function",
        _create(tools=[{"type": "function", "name": "f", "parameters": {}}, {"type": "web_search"}]),
        "tools[1]",
        "'web_search'",
    ),
    Refusal(
        "a deferred function",
        _create(tools=[{"type": "function", "name": "f", "parameters": {}, "defer_loading": True}]),
        "tools[0].defer_loading",
        "no tool search",
    ),
    Refusal(
        "an async function",
        _create(tools=[{"type": "function", "name": "f", "parameters": {}, "async": True}]),
        "tools[0].async",
        "cannot come later",
    ),
    Refusal(
        "a function only code may call",
        _create(tools=[{"type": "function", "name": "f", "parameters": {}, "allowed_callers": ["programmatic"]}]),
        "tools[0].allowed_callers",
        "only call a function directly ('direct'), which ['programmatic'] rules out",
    ),
    Refusal(
        "a function field chat tools lack, on the second tool",
        _create(
            tools=[
                {"type": "function", "name": "f", "parameters": {}},
                {"type": "function", "name": "g", "parameters": {}, "cache_control": {"type": "ephemeral"}},
            ]
        ),
        "tools[1].cache_control",
        "chat tools have no such setting",
    ),
    Refusal("background", _create(background=True), "background", "no background mode"),
    Refusal("conversation", _create(conversation="conv_123"), "conversation", "no conversation objects"),
    Refusal("reasoning", _create(reasoning={"effort": "high"}), "reasoning", "reasoning settings"),
    Refusal(
        "include",
        _create(include=["message.output_text.logprobs"]),
        "include",
        "'message.output_text.logprobs' cannot be produced",
    ),
    Refusal("prompt", _create(prompt={"id": "pmpt_1"}), "prompt", "no stored prompt"),
    Refusal("top_logprobs", _create(top_logprobs=3), "top_logprobs", "no logprobs"),
    Refusal("truncation auto", _create(truncation="auto"), "truncation", "cannot truncate"),
    Refusal("service_tier", _create(service_tier="flex"), "service_tier", "no service tiers"),
    Refusal(  # in extra_body: openai 2.x's `create` has no such argument
        "context_management",
        _create(extra_body={"context_management": [{"type": "compaction", "compact_threshold": 1000}]}),
        "context_management",
        "the gateway cannot compact a conversation",
    ),
    Refusal(
        "a field the chat route has no setting for",
        _create(extra_body={"moderation": "strict"}),
        "moderation",
        "cannot honour `moderation`: the gateway's chat route has no such setting",
    ),
    Refusal(
        "an image part",
        _create(
            input=[
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "What is this?"},
                        {"type": "input_image", "image_url": "https://example.invalid/a.png", "detail": "auto"},
                    ],
                }
            ]
        ),
        "input[0].content[1]",
        "text only",
    ),
    Refusal(
        "an item reference", _create(input=[{"type": "item_reference", "id": "msg_1"}]), "input[0]", "'item_reference'"
    ),
    Refusal(
        "an unknown previous response",
        _create(previous_response_id="resp_x"),
        "previous_response_id",
        "No response 'resp_x'",
        og.UnknownResponseError,
    ),
    Refusal("a field through extra_body", _create(extra_body={"background": True}), "background", "background mode"),
    Refusal(
        "retrieve",
        lambda r: r.retrieve("resp_x"),
        "responses.retrieve",
        "No response 'resp_x'",
        og.UnknownResponseError,
    ),
    Refusal(
        "delete", lambda r: r.delete("resp_x"), "responses.delete", "No response 'resp_x'", og.UnknownResponseError
    ),
    Refusal(
        "cancel", lambda r: r.cancel("resp_x"), "responses.cancel", "No response 'resp_x'", og.UnknownResponseError
    ),
    Refusal(
        "input_tokens.count", lambda r: r.input_tokens.count(**HI), "responses.input_tokens.count", "no such endpoint"
    ),
    Refusal(
        "input_items.list", lambda r: r.input_items.list("resp_x"), "responses.input_items.list", "no such endpoint"
    ),
    Refusal(
        "stream a stored response",
        lambda r: r.retrieve("resp_x", stream=True),
        "responses.retrieve(stream=True)",
        "not their event streams",
    ),
]
REFUSALS.append(  # the SDK's manager would dial a WebSocket the gateway doesn't have
    Refusal("connect", lambda r: r.connect(), "responses.connect", "no Responses WebSocket")
)
if OPENAI_MAJOR >= 3:  # `compact` is a 3.x method
    REFUSALS.append(
        Refusal("compact", lambda r: r.compact(model="gpt-4o-mini"), "responses.compact", "no such endpoint")
    )


def _check(caught: pytest.ExceptionInfo[Exception], refusal: Refusal, gateway: LocalGateway) -> None:
    error = caught.value
    assert type(error) is refusal.raises
    assert isinstance(error, openai.OpenAIError)
    assert error.field == refusal.field  # type: ignore[attr-defined]
    assert f"`{refusal.field}`" in str(error)
    assert list(gateway.calls) == [], "nothing may reach the gateway"


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_sync_refusals(local_gateway: LocalGateway, refusal: Refusal) -> None:
    client = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key)
    with pytest.raises(refusal.raises, match=re.escape(refusal.says)) as caught:
        refusal.call(client.responses)
    _check(caught, refusal, local_gateway)


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
async def test_async_refusals(local_gateway: LocalGateway, refusal: Refusal) -> None:
    client = og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key)
    with pytest.raises(refusal.raises, match=re.escape(refusal.says)) as caught:
        await _settled(refusal.call(client.responses))
    _check(caught, refusal, local_gateway)


async def _settled(result: Any) -> None:
    """Await a coroutine; iterate a paginator (`input_items.list` returns one, which requests when read)."""
    if hasattr(result, "__await__"):
        await result
    elif hasattr(result, "__aiter__"):
        [item async for item in result]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"model": ""}, "Expected a non-empty `model`"),
        ({"input": None}, "Expected `input`"),
        ({"input": [{"role": "tool", "content": "x"}]}, "`input[0]` has role 'tool'"),
        ({"tool_choice": "required"}, "no `tools` were given"),
        (
            {"text": {"verbosity": "loud"}},
            "Expected `text.verbosity` to be one of ['high', 'low', 'medium'], got 'loud'",
        ),
        (
            {"input": [{"type": "function_call", "name": "f", "arguments": "{}"}]},
            "Expected `input[0].call_id` to be a string, got None",
        ),
        (
            {"input": [{"type": "function_call", "call_id": "c", "arguments": "{}"}]},
            "Expected `input[0].name` to be a string, got None",
        ),
        (
            {"input": [{"type": "function_call", "call_id": "c", "name": "f"}]},
            "Expected `input[0].arguments` to be a string, got None",
        ),
        (
            {"input": [{"type": "function_call_output", "output": "Sunny"}]},
            "Expected `input[0].call_id` to be a string, got None",
        ),
        ({"tools": [{"type": "function", "parameters": {}}]}, "Expected `tools[0].name` to be a string, got None"),
        (
            {"tools": [{"type": "function", "name": "f", "parameters": {}, "output_schema": "JSON"}]},
            "Expected `tools[0].output_schema` to be a JSON schema (a dict), got str",
        ),
        ({"instructions": [{"role": "user", "content": "x"}]}, "Expected `instructions` to be a string, got list"),
        (
            {
                "tools": [{"type": "function", "name": "now", "parameters": None, "strict": None}],
                "tool_choice": {"type": "function", "name": "nope"},
            },
            "`tool_choice` names the function 'nope', which is not one of the `tools` (now)",
        ),
        (
            {"metadata": {"ticket": 42}},
            "Expected `metadata` as OpenAI defines it: `metadata.ticket`: Input should be a valid string, got 42",
        ),
        (
            {"text": {"format": {"type": "json_schema", "schema": {"type": "object"}}}},
            "Expected `text` as OpenAI defines it: `text.format.name`: Field required",
        ),
    ],
)
def test_bad_input_is_a_value_error_before_sending(
    client: og.OpenAI, local_gateway: LocalGateway, fields: dict[str, Any], says: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        client.responses.create(**{**HI, **fields})
    assert list(local_gateway.calls) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"background": False},
        {"include": []},
        {"reasoning": {"effort": None, "summary": None}},
        {"reasoning": {"effort": "none"}},
        {"text": {"verbosity": "medium"}},
        {"truncation": "disabled"},
        {"service_tier": "auto"},
        {"store": True, "prompt_cache_key": "k", "stream_options": {"include_obfuscation": False}},
        {"prompt_cache_retention": "24h", "prompt_cache_options": {"mode": "explicit", "ttl": "30m"}},
        {"text": {"format": {"type": "text"}}},
    ],
    ids=repr,
)
def test_default_values_are_not_refused(client: og.OpenAI, local_gateway: LocalGateway, fields: dict[str, Any]) -> None:
    assert client.responses.create(**{**HI, **fields}).output_text
    assert local_gateway.calls.last.json == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def test_max_tool_calls_is_honoured_and_echoed(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """It caps calls of built-in tools, which the gateway never makes: nothing to refuse, nothing to send."""
    response = client.responses.create(**HI, max_tool_calls=2)
    assert response.max_tool_calls == 2
    assert local_gateway.calls.last.json == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    with pytest.raises(ValueError, match=re.escape("Expected `max_tool_calls` as OpenAI defines it")):
        client.responses.create(**HI, max_tool_calls="two")
