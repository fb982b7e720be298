"""Function tools and `text.format` through `client.responses`, served by the chat layer's emulation."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from openai.types.responses import ResponseStreamEvent

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway, ToolCall

MODEL = "gpt-4o-mini"
CHAT = "/v1/chat/completions"
EVENTS = pydantic.TypeAdapter(ResponseStreamEvent)
CITY = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
    "additionalProperties": False,
}
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": CITY,
    "strict": True,
}
CHAT_WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "description": "The weather in a city.", "parameters": CITY, "strict": True},
}
QUESTION = "Weather in Paris and Rome?"
TWO_CALLS = [ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {"city": "Rome"})]


class Person(pydantic.BaseModel):
    name: str
    age: int


def _calls(response: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(item.name, json.loads(item.arguments)) for item in response.output if item.type == "function_call"]


@pytest.mark.parametrize(
    "defaults",
    [
        {"defer_loading": False, "async": False, "allowed_callers": None, "output_schema": None},
        {"allowed_callers": ["direct"], "output_schema": {}},
        {"allowed_callers": ["direct", "programmatic"]},  # programmatic calls need a built-in tool: never made
    ],
    ids=repr,
)
def test_function_fields_at_their_defaults_send_the_plain_chat_tool(
    client: og.OpenAI, local_gateway: LocalGateway, defaults: dict[str, Any]
) -> None:
    client.responses.create(model=MODEL, input=QUESTION, tools=[{**WEATHER, **defaults}])
    client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": QUESTION}],
        tools=[CHAT_WEATHER],  # type: ignore[list-item]
    )
    sent = [call.json for call in local_gateway.calls.to(CHAT)]
    assert sent[0] == sent[1]


def test_an_output_schema_is_told_to_the_model_in_the_description(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    forecast = {"type": "object", "properties": {"sky": {"type": "string"}}}
    client.responses.create(model=MODEL, input=QUESTION, tools=[{**WEATHER, "output_schema": forecast}])
    described = {
        **CHAT_WEATHER["function"],
        "description": "The weather in a city.\n\nIts output is JSON matching this schema: "
        '{"type": "object", "properties": {"sky": {"type": "string"}}}',
    }
    client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": QUESTION}],
        tools=[{"type": "function", "function": described}],  # type: ignore[list-item]
    )
    sent = [call.json for call in local_gateway.calls.to(CHAT)]
    assert sent[0] == sent[1]
    assert '\\"sky\\"' in json.dumps(sent[0])  # the schema reached the model's prompt


def test_tool_calls_match_the_chat_calls(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(TWO_CALLS, TWO_CALLS)
    response = client.responses.create(model=MODEL, input=QUESTION, tools=[WEATHER])
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": QUESTION}],
        tools=[CHAT_WEATHER],  # type: ignore[list-item]
    )
    chat_calls = [
        (c.function.name, json.loads(c.function.arguments)) for c in completion.choices[0].message.tool_calls or []
    ]  # type: ignore[union-attr]
    assert _calls(response) == chat_calls == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]
    assert response.status == "completed"
    assert response.output_text == ""
    assert [item.type for item in response.output] == ["function_call", "function_call"]
    assert all(item.call_id.startswith("call_") and item.id.startswith("fc_") for item in response.output)  # type: ignore[union-attr]
    sent = [call.json for call in local_gateway.calls.to(CHAT)]
    assert sent[0] == sent[1]  # the very same chat request
    assert response.usage is not None
    assert completion.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (
        completion.usage.prompt_tokens,
        completion.usage.completion_tokens,
    )
    mine, theirs = og.meta(response), og.meta(completion)
    assert mine.cost_usd == theirs.cost_usd
    assert mine.emulated == ("tools", "responses")


async def test_async_tool_round_trip_with_previous_response_id(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script(TWO_CALLS, "Sunny in Paris, rain in Rome.")
    first = await async_client.responses.create(model=MODEL, input=QUESTION, tools=[WEATHER])
    outputs = [
        {"type": "function_call_output", "call_id": item.call_id, "output": result}  # type: ignore[union-attr]
        for item, result in zip(first.output, ["Sunny", "Rain"], strict=True)
    ]
    second = await async_client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=outputs,
        tools=[WEATHER],  # type: ignore[arg-type]
    )
    assert second.output_text == "Sunny in Paris, rain in Rome."
    asked = local_gateway.model.requests[-1]
    assert [(r.name, r.content) for r in asked.tool_results] == [("get_weather", "Sunny"), ("get_weather", "Rain")]


def test_the_same_round_trip_as_input_items(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """Without stored state: the caller sends the whole conversation, function calls and outputs included."""
    local_gateway.model.script("Sunny.")
    response = client.responses.create(
        model=MODEL,
        tools=[WEATHER],  # type: ignore[list-item]
        input=[
            {"role": "user", "content": "Weather in Paris?"},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "Sunny"},
        ],
    )
    assert response.output_text == "Sunny."
    assert local_gateway.model.requests[-1].called == frozenset({"get_weather"})


def test_a_streamed_tool_call_accumulates_into_the_plain_response(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script(TWO_CALLS, TWO_CALLS)
    plain = client.responses.create(model=MODEL, input=QUESTION, tools=[WEATHER])
    events = list(client.responses.create(model=MODEL, input=QUESTION, tools=[WEATHER], stream=True))
    for number, event in enumerate(events):
        assert type(EVENTS.validate_python(event.to_dict())) is type(event)
        assert event.sequence_number == number
    kinds = [event.type for event in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        *[
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
        ]
        * 2,
        "response.completed",
    ]
    arguments: dict[int, str] = {}
    for event in events:
        if event.type == "response.function_call_arguments.delta":
            arguments[event.output_index] = arguments.get(event.output_index, "") + event.delta
    assert [json.loads(arguments[i]) for i in sorted(arguments)] == [{"city": "Paris"}, {"city": "Rome"}]
    done = [event for event in events if event.type == "response.function_call_arguments.done"]
    assert [event.name for event in done] == ["get_weather", "get_weather"]  # type: ignore[union-attr]
    final = events[-1].response  # type: ignore[union-attr]
    assert _calls(final) == _calls(plain)
    assert final.usage is not None
    assert plain.usage is not None
    assert final.usage.output_tokens == plain.usage.output_tokens


async def test_the_sdk_stream_helper_with_tools(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(TWO_CALLS)
    async with async_client.responses.stream(model=MODEL, input=QUESTION, tools=[WEATHER]) as stream:
        final = await stream.get_final_response()
    assert _calls(final) == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Rome"})]


def test_parse_fills_output_parsed(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script({"name": "Ada", "age": 36})
    response = client.responses.parse(model=MODEL, input="Who wrote the first program?", text_format=Person)
    assert response.output_parsed == Person(name="Ada", age=36)
    assert og.meta(response).emulated == ("response_format", "responses")
    assert "response_format" not in local_gateway.calls.last.json  # served by prompt, not sent


async def test_async_parse_and_the_stream_helper_with_a_format(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script({"name": "Ada", "age": 36}, {"name": "Alan", "age": 41})
    parsed = await async_client.responses.parse(model=MODEL, input="Who?", text_format=Person)
    assert parsed.output_parsed == Person(name="Ada", age=36)
    async with async_client.responses.stream(model=MODEL, input="Who?", text_format=Person) as stream:
        final = await stream.get_final_response()
    assert final.output_parsed == Person(name="Alan", age=41)


@pytest.mark.parametrize("kind", ["json_schema", "json_object"])
def test_text_format_answers_json(client: og.OpenAI, local_gateway: LocalGateway, kind: str) -> None:
    local_gateway.model.script({"name": "Ada", "age": 36})
    fmt: dict[str, Any] = {"type": "json_object"}
    if kind == "json_schema":
        fmt = {"type": "json_schema", "name": "Person", "schema": Person.model_json_schema(), "strict": False}
    response = client.responses.create(model=MODEL, input="Who? Answer in JSON.", text={"format": fmt})  # type: ignore[typeddict-item]
    assert json.loads(response.output_text) == {"name": "Ada", "age": 36}
    assert response.text is not None
    assert response.text.format is not None
    assert response.text.format.type == kind


def test_a_broken_answer_is_the_chat_layers_error(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script({"name": "Ada"}, {"name": "Ada"})  # no `age`, asked again, still none
    with pytest.raises(og.ModelOutputError, match="age"):
        client.responses.parse(model=MODEL, input="Who?", text_format=Person)


def test_allowed_tools_in_the_responses_spelling(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    clock = {**WEATHER, "name": "get_time", "description": "The time in a city."}
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_time", {"city": "Paris"}))
    response = client.responses.create(
        model=MODEL,
        input=QUESTION,
        tools=[WEATHER, clock],  # type: ignore[list-item]
        tool_choice={"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": "get_time"}]},
    )
    assert _calls(response) == [("get_time", {"city": "Paris"})]
    assert og.meta(response).attempts == 2  # the call of a tool not allowed was re-asked
    assert response.tool_choice.type == "allowed_tools"  # type: ignore[union-attr]


async def test_allowed_tools_naming_a_tool_not_offered_is_refused(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="must name one of the offered functions") as caught:
        await async_client.responses.create(
            model=MODEL,
            input=QUESTION,
            tools=[WEATHER],  # type: ignore[list-item]
            tool_choice={"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function", "name": "get_time"}]},
        )
    assert caught.value.field == "tool_choice"
    assert "'get_time'" in str(caught.value)
    assert len(local_gateway.calls) == 0
