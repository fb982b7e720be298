"""`client.chat`: tools the emulation takes out of the body skip the SDK's argument transform, with the same result."""

from __future__ import annotations

import json
from typing import Any

import openai.resources.chat.completions.completions as sdk_completions
import pytest
from openai.types.chat import completion_create_params

import omnigate_openai as og
from omnigate_openai._verbatim import Verbatim
from omnigate_openai.testing import LocalGateway, ToolCall

MODEL = "gpt-4o-mini"
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]
WEATHER: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        "strict": False,
    },
}
NESTED: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "book",
        "parameters": {
            "type": "object",
            "properties": {
                "when": {"type": "string", "format": "date-time"},
                "rooms": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
            },
            "$defs": {"x": {"type": "string"}},
        },
    },
}
LEGACY: dict[str, Any] = {"name": "get_weather", "parameters": WEATHER["function"]["parameters"]}


@pytest.fixture
def transformed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The bodies `chat.completions.create` hands to the SDK's transform, in call order."""
    seen: list[dict[str, Any]] = []
    transform, async_transform = sdk_completions.maybe_transform, sdk_completions.async_maybe_transform

    def recording(data: Any, expected_type: Any) -> Any:
        seen.append(dict(data))
        return transform(data, expected_type)

    async def async_recording(data: Any, expected_type: Any) -> Any:
        seen.append(dict(data))
        return await async_transform(data, expected_type)

    monkeypatch.setattr(sdk_completions, "maybe_transform", recording)
    monkeypatch.setattr(sdk_completions, "async_maybe_transform", async_recording)
    return seen


def _sent(gateway: LocalGateway) -> dict[str, Any]:
    body: dict[str, Any] = gateway.calls.to("/v1/chat/completions")[-1].json
    return body


@pytest.mark.parametrize("tools", [[WEATHER], [WEATHER, NESTED], (NESTED,)])
@pytest.mark.parametrize(
    "params",
    [
        completion_create_params.CompletionCreateParamsNonStreaming,
        completion_create_params.CompletionCreateParamsStreaming,
    ],
)
def test_the_sdk_transform_leaves_plain_json_tools_as_they_are(tools: Any, params: Any) -> None:
    """The premise of skipping it: for plain JSON data the installed SDK's transform changes nothing."""
    body = {"model": MODEL, "messages": ASK, "tools": tools, "functions": [LEGACY]}
    out = sdk_completions.maybe_transform(body, params)
    assert json.dumps(out["tools"]) == json.dumps(tools)
    assert json.dumps(out["functions"]) == json.dumps([LEGACY])


def test_plain_tools_skip_the_transform_and_reach_the_prompt(
    client: og.OpenAI, local_gateway: LocalGateway, transformed: list[dict[str, Any]]
) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER, NESTED])
    (body,) = transformed
    assert isinstance(body["tools"], Verbatim)
    assert body["tools"].value == [WEATHER, NESTED]
    (call,) = completion.choices[0].message.tool_calls or []
    assert (call.function.name, call.function.arguments) == ("get_weather", '{"city":"Paris"}')
    sent = _sent(local_gateway)
    assert "tools" not in sent
    prompt = sent["messages"][0]["content"]
    assert (
        "## get_weather\nThe weather of a city.\nArguments JSON Schema: "
        + json.dumps(WEATHER["function"]["parameters"])
        in prompt
    )
    assert "## book\nArguments JSON Schema: " + json.dumps(NESTED["function"]["parameters"]) in prompt


def test_legacy_functions_skip_it_too(
    client: og.OpenAI, local_gateway: LocalGateway, transformed: list[dict[str, Any]]
) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=ASK, functions=[LEGACY])
    assert isinstance(transformed[0]["functions"], Verbatim)
    call = completion.choices[0].message.function_call
    assert call is not None
    assert (call.name, call.arguments) == ("get_weather", '{"city":"Paris"}')
    assert "## get_weather" in _sent(local_gateway)["messages"][0]["content"]


def test_tools_that_are_not_plain_json_take_the_transform(
    client: og.OpenAI, local_gateway: LocalGateway, transformed: list[dict[str, Any]]
) -> None:
    """A generator (the SDK accepts any iterable) is listed by the SDK's transform, and emulated as before."""
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=ASK, tools=(tool for tool in [WEATHER]))
    assert transformed[0]["tools"] is not None
    assert not isinstance(transformed[0]["tools"], Verbatim)
    assert (completion.choices[0].message.tool_calls or [])[0].function.name == "get_weather"
    assert "## get_weather" in _sent(local_gateway)["messages"][0]["content"]


def test_without_emulation_tools_are_transformed_and_sent_as_before(
    local_gateway: LocalGateway, transformed: list[dict[str, Any]]
) -> None:
    with og.OpenAI(
        base_url=local_gateway.base_url,
        api_key=local_gateway.api_key,
        max_retries=0,
        emulate_tools=False,
        allow_ignored_fields=True,
    ) as client:
        client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    assert transformed[0]["tools"] == [WEATHER]
    assert _sent(local_gateway)["tools"] == [WEATHER]


def test_raw_responses_and_streams_take_the_same_path(
    client: og.OpenAI, local_gateway: LocalGateway, transformed: list[dict[str, Any]]
) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {"city": "Oslo"}))
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=ASK, tools=[WEATHER])
    assert (raw.parse().choices[0].message.tool_calls or [])[0].function.arguments == '{"city":"Paris"}'
    chunks = list(client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True))
    pieces = [c.function.arguments for chunk in chunks for c in chunk.choices[0].delta.tool_calls or [] if c.function]
    assert "".join(piece or "" for piece in pieces) == '{"city":"Oslo"}'
    assert [type(body["tools"]) for body in transformed] == [Verbatim, Verbatim]
    assert all("tools" not in call.json for call in local_gateway.calls.to("/v1/chat/completions"))


async def test_the_async_client_skips_it_too(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway, transformed: list[dict[str, Any]]
) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = await async_client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    assert isinstance(transformed[0]["tools"], Verbatim)
    assert (completion.choices[0].message.tool_calls or [])[0].function.arguments == '{"city":"Paris"}'
    assert "tools" not in _sent(local_gateway)


def test_a_tool_dict_changed_between_two_calls_changes_the_prompt(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    tool = json.loads(json.dumps(WEATHER))
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], tools=[tool])
    first = _sent(local_gateway)["messages"][0]["content"]
    tool["function"]["description"] = "The weather of a city, in Celsius."
    tool["function"]["parameters"]["properties"]["unit"] = {"type": "string"}
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], tools=[tool])
    second = _sent(local_gateway)["messages"][0]["content"]
    assert "The weather of a city.\n" in first
    assert '"unit"' not in first
    assert "The weather of a city, in Celsius.\n" in second
    assert '"unit": {"type": "string"}' in second


def test_a_schema_changed_in_place_or_reordered_changes_the_prompt_and_the_check(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    """The kept tools follow the caller's dicts: a nested edit, a new key order, and back again."""
    tool = json.loads(json.dumps(WEATHER))
    hi = [{"role": "user", "content": "Hi"}]
    properties = tool["function"]["parameters"]["properties"]

    def prompt() -> str:
        client.chat.completions.create(model=MODEL, messages=hi, tools=[tool])
        content: str = _sent(local_gateway)["messages"][0]["content"]
        return content

    original = prompt()
    properties["city"]["description"] = "A city name."  # two levels down, in place
    assert '"city": {"type": "string", "description": "A city name."}' in prompt()
    properties["unit"] = {"type": "string"}
    tool["function"]["parameters"]["properties"] = {"unit": properties["unit"], "city": properties["city"]}
    assert '"properties": {"unit": {"type": "string"}, "city": ' in prompt()  # the same keys, another order
    tool["function"]["parameters"]["required"] = ["city", "unit"]
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {"city": "Oslo"}))
    with pytest.raises(og.ModelOutputError, match="'unit' is a required property"):  # the new schema is checked
        client.chat.completions.create(model=MODEL, messages=hi, tools=[tool])
    tool = json.loads(json.dumps(WEATHER))
    assert prompt() == original


def test_tools_of_reads_each_distinct_text_once_into_its_own_copy() -> None:
    from omnigate_openai._tool_prompt import _tools_of_text, tools_of

    tool = json.loads(json.dumps(NESTED))
    body = {"tools": [tool]}
    before = _tools_of_text.cache_info()
    first, _ = tools_of(body, texts={"tools": json.dumps([tool])})
    again, _ = tools_of(body, texts={"tools": json.dumps([tool])})
    assert again is first  # kept
    assert _tools_of_text.cache_info().hits == before.hits + 1
    assert first == tools_of(body)[0]  # what the uncached reading gives
    assert first[0].parameters is not tool["function"]["parameters"]  # its own copy
    tool["function"]["parameters"]["properties"].clear()
    assert first[0].parameters == NESTED["function"]["parameters"]
    changed, _ = tools_of(body, texts={"tools": json.dumps([tool])})
    assert changed[0].schema_text == '{"type": "object", "properties": {}, "$defs": {"x": {"type": "string"}}}'


def test_a_refused_tool_is_named_in_the_callers_own_values() -> None:
    from omnigate_openai._tool_prompt import tools_of

    body = {"tools": [WEATHER, {"type": "custom", "custom": {"name": "grammar", "format": ("a", "b")}}]}
    with pytest.raises(og.UnsupportedFeatureError) as plain:
        tools_of(body)
    with pytest.raises(og.UnsupportedFeatureError) as kept:
        tools_of(body, texts={"tools": json.dumps(body["tools"])})
    assert str(kept.value) == str(plain.value)
    assert kept.value.field == "tools[1]"
