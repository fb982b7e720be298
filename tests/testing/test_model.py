"""The local gateway's drivable model: it reads the README's prompt contract and answers as scripted or by schema."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import openai
import pytest

from omnigate_openai.testing import LocalGateway, Model, ModelRequest, ToolCall, instance_of
from omnigate_openai.testing._model import read_request

# The system section exactly as the README shows it (written here by hand, not by the client).
PROMPT = """You are a helpful assistant.

# Tools
Each tool has a name, a description and the JSON Schema of its arguments.

## get_weather
The weather of a city.
Two lines of description.
Arguments JSON Schema: {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}

## get_time
Arguments JSON Schema: {"type": "object", "properties": {}}

# Calling tools
To call tools, answer with exactly one JSON object and nothing else:
{"tool_calls": [{"name": "<tool name>", "arguments": {<arguments valid against its schema>}}]}
Tool choice: function get_time. You must call get_time now, and no other tool: answer with the JSON object only.
Parallel calls: no. Call at most one tool per answer.

# Answer format
Your final answer must be one JSON object and nothing else, valid against this JSON Schema:
{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}"""


def test_the_prompt_is_read_as_the_readme_documents_it() -> None:
    results = json.dumps({"tool_results": [{"id": "call_1", "name": "get_time", "content": "noon"}]})
    request = read_request("gpt-4o-mini", [("system", PROMPT), ("user", "hi"), ("assistant", "{}"), ("user", results)])
    assert [(tool.name, tool.description) for tool in request.tools] == [
        ("get_weather", "The weather of a city.\nTwo lines of description."),
        ("get_time", ""),
    ]
    assert request.tools[0].parameters["required"] == ["city"]
    assert (request.tool_choice, request.parallel, request.wants_json) == ("get_time", False, True)
    assert request.answer_schema == {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    assert [(result.id, result.name, result.content) for result in request.tool_results] == [
        ("call_1", "get_time", "noon")
    ]


def test_a_plain_request_has_no_tools() -> None:
    request = read_request("m", [("user", "hi")])
    assert (request.tools, request.tool_choice, request.wants_json, request.tool_results) == ((), "auto", False, ())


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"a": {"type": "string", "minLength": 3}, "b": {"type": "boolean"}}},
        {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}}},
        {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}}},
        {"type": "object", "properties": {"n": {"type": ["integer", "null"], "minimum": 5}}},
        {
            "type": "object",
            "properties": {"x": {"anyOf": [{"type": "null"}, {"type": "number", "exclusiveMinimum": 0}]}},
        },
        {"type": "object", "properties": {"kind": {"enum": ["cat", "dog"]}, "k": {"const": 3}}},
        {
            "$defs": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
            "type": "object",
            "properties": {"pet": {"$ref": "#/$defs/Pet"}, "pets": {"type": "array", "items": {"$ref": "#/$defs/Pet"}}},
            "required": ["pet", "pets"],
            "additionalProperties": False,
        },
        {
            "$defs": {
                "Node": {
                    "type": "object",
                    "properties": {"next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}},
                }
            },
            "$ref": "#/$defs/Node",
        },
    ],
)
def test_instances_are_valid_against_their_schema(schema: dict[str, Any]) -> None:
    jsonschema.validate(instance_of(schema), schema)


def _client(gateway: LocalGateway) -> openai.OpenAI:
    # The plain SDK: what it sends is exactly what the test writes, so the double is tested on its own.
    return openai.OpenAI(base_url=gateway.base_url, api_key=gateway.api_key, max_retries=0)


def _ask(client: openai.OpenAI, system: str = PROMPT) -> str:
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "system", "content": system}, {"role": "user", "content": "go"}]
    )
    return completion.choices[0].message.content or ""


def test_scripted_replies_come_in_order_then_the_default(local_gateway: LocalGateway) -> None:
    def echo_tools(request: ModelRequest) -> str:
        return ",".join(tool.name for tool in request.tools)

    local_gateway.model.script(
        "plain text",
        ToolCall("get_weather", {"city": "Paris"}),
        [ToolCall("get_time"), ToolCall("get_time")],
        {"n": 3},
        "{broken",
        echo_tools,
    )
    client = _client(local_gateway)
    replies = [_ask(client) for _ in range(7)]
    assert replies[:6] == [
        "plain text",
        '{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}',
        '{"tool_calls": [{"name": "get_time", "arguments": {}}, {"name": "get_time", "arguments": {}}]}',
        '{"n": 3}',
        "{broken",
        "get_weather,get_time",
    ]
    assert replies[6] == '{"tool_calls": [{"name": "get_time", "arguments": {}}]}'  # the default obeys the choice
    assert local_gateway.model.pending == 0
    assert len(local_gateway.model.requests) == 7


def test_the_default_model_calls_each_tool_then_answers_with_the_results(local_gateway: LocalGateway) -> None:
    system = PROMPT.replace("Tool choice: function get_time.", "Tool choice: auto.")
    system = system[: system.index("# Answer format")]
    client = _client(local_gateway)
    messages: list[Any] = [{"role": "system", "content": system}, {"role": "user", "content": "go"}]
    for name, arguments, result in [("get_weather", {"city": "a"}, "rain"), ("get_time", {}, "noon")]:
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=messages).choices[0].message.content
        assert json.loads(reply or "") == {"tool_calls": [{"name": name, "arguments": arguments}]}
        results = json.dumps({"tool_results": [{"id": "1", "name": name, "content": result}]})
        messages += [{"role": "assistant", "content": reply}, {"role": "user", "content": results}]
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=messages)
    assert completion.choices[0].message.content == "Tool results: get_weather: rain; get_time: noon"


def test_a_callable_model_and_reset() -> None:
    with LocalGateway(model=lambda request: f"asked: {request.last_user}") as gateway:
        assert _ask(_client(gateway)) == "asked: go"
        gateway.model.script("once")
        gateway.reset()
        assert gateway.model.pending == 0
        assert _ask(_client(gateway)) == "asked: go"


def test_a_list_is_a_script_and_a_plain_call_keeps_the_plain_reply() -> None:
    with LocalGateway(model=["first"], reply="plain") as gateway:
        client = _client(gateway)
        assert _ask(client) == "first"
        assert _ask(client, "No tools here.") == "plain"
    assert isinstance(Model(), Model)


def test_a_scripted_reply_of_the_wrong_kind_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="A scripted reply is text, a ToolCall"):
        Model([42]).reply("m", [("user", "hi")], plain="x")  # type: ignore[list-item]
