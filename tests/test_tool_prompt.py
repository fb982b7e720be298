"""What the model reads for an emulated request: the prompt contract, and the rewritten tool history."""

from __future__ import annotations

import json
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai._tool_prompt import (
    ToolChoice,
    answer_format,
    instructions,
    tool_choice,
    tools_of,
    with_instructions,
    written_history,
)

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def _allowed(mode: str, *tools: dict[str, Any]) -> dict[str, Any]:
    return {"type": "allowed_tools", "allowed_tools": {"mode": mode, "tools": list(tools)}}


def test_the_prompt_states_tools_choice_and_format_exactly() -> None:
    body: dict[str, Any] = {
        "tools": [WEATHER_TOOL],
        "tool_choice": "required",
        "parallel_tool_calls": False,
        "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}}},
    }
    tools, _ = tools_of(body)
    text = instructions(tools, tool_choice(body, tools), answer_format(body))
    assert text == "\n".join(
        [
            "# Tools",
            "Each tool has a name, a description and the JSON Schema of its arguments.",
            "",
            "## get_weather",
            "The weather of a city.",
            'Arguments JSON Schema: {"type": "object", "properties": {"city": {"type": "string"}}, '
            '"required": ["city"]}',
            "",
            "# Calling tools",
            "To call tools, answer with exactly one JSON object and nothing else:",
            '{"tool_calls": [{"name": "<tool name>", "arguments": {<arguments valid against its schema>}}]}',
            "Put several calls in the list to make them at once. Tool results come back in a user message "
            'holding {"tool_results": [{"id": "<call id>", "name": "<tool name>", "content": "<result>"}]}.',
            "Tool choice: required. You must call at least one tool now: answer with the JSON object only.",
            "Parallel calls: no. Call at most one tool per answer.",
            "",
            "# Answer format",
            "Your final answer must be one JSON object and nothing else, valid against this JSON Schema:",
            '{"type": "object"}',
        ]
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, ToolChoice("auto")),
        ({"tool_choice": "none"}, ToolChoice("none")),
        (
            {"tool_choice": {"type": "function", "function": {"name": "get_weather"}}},
            ToolChoice("function", "get_weather"),
        ),
        ({"function_call": {"name": "get_weather"}}, ToolChoice("function", "get_weather")),
        ({"parallel_tool_calls": False}, ToolChoice("auto", parallel=False)),
        (
            {"tool_choice": _allowed("required", {"type": "function", "function": {"name": "get_weather"}})},
            ToolChoice("required", allowed=("get_weather",)),
        ),
    ],
)
def test_tool_choices(body: dict[str, Any], expected: ToolChoice) -> None:
    tools, _ = tools_of({"tools": [WEATHER_TOOL]})
    assert tool_choice(body, tools) == expected


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"tools": [{"type": "custom", "custom": {"name": "x"}}]}, "tools[0]", "Only function tools"),
        ({"tools": [{"type": "function", "function": {"description": "no name"}}]}, "tools[0]", "no function name"),
        (
            {"tools": [WEATHER_TOOL], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
            "tool_choice",
            "name one of the offered functions",
        ),
        ({"response_format": {"type": "json_schema", "json_schema": {"name": "x"}}}, "response_format", "`schema`"),
        (
            {"tools": [WEATHER_TOOL], "tool_choice": _allowed("none", {"type": "function", "function": {"name": "x"}})},
            "tool_choice",
            "must have a `mode` of 'auto' or 'required'",
        ),
        ({"tools": [WEATHER_TOOL], "tool_choice": _allowed("auto")}, "tool_choice", "a non-empty list of `tools`"),
        (
            {"tools": [WEATHER_TOOL], "tool_choice": _allowed("auto", {"type": "function", "function": {"name": "x"}})},
            "tool_choice",
            r"allowed_tools.tools\[0\]` must name one of the offered functions",
        ),
        (
            {"tools": [WEATHER_TOOL], "tool_choice": _allowed("auto", {"type": "custom", "custom": {"name": "x"}})},
            "tool_choice",
            r"allowed_tools.tools\[0\]` must name one of the offered functions; got \{'type': 'custom'",
        ),
    ],
)
def test_what_cannot_be_emulated_is_refused_naming_the_field(body: dict[str, Any], field: str, message: str) -> None:
    def read(body: dict[str, Any]) -> None:
        tools, _ = tools_of(body)
        tool_choice(body, tools)
        answer_format(body)

    with pytest.raises(og.UnsupportedFeatureError, match=message) as caught:
        read(body)
    assert caught.value.field == field


def test_instructions_join_the_leading_system_message() -> None:
    assert with_instructions([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}], "X") == [
        {"role": "system", "content": "Be brief.\n\nX"},
        {"role": "user", "content": "hi"},
    ]
    assert with_instructions([{"role": "user", "content": "hi"}], "X") == [
        {"role": "system", "content": "X"},
        {"role": "user", "content": "hi"},
    ]


def test_tool_history_keeps_ids_names_arguments_and_results() -> None:
    messages = [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "21C"},
        {"role": "tool", "tool_call_id": "call_2", "content": [{"type": "text", "text": "18C"}]},
        {"role": "assistant", "content": "Paris 21C, Rome 18C."},
        {"role": "assistant", "content": "Checking", "function_call": {"name": "f", "arguments": "{}"}},
        {"role": "function", "name": "f", "content": "done"},
    ]
    written = written_history(messages)
    assert written[0] == messages[0]
    assert written[1] == {
        "role": "assistant",
        "content": json.dumps(
            {
                "tool_calls": [
                    {"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}},
                    {"id": "call_2", "name": "get_weather", "arguments": {"city": "Rome"}},
                ]
            }
        ),
    }
    assert json.loads(written[2]["content"]) == {
        "tool_results": [
            {"id": "call_1", "name": "get_weather", "content": "21C"},
            {"id": "call_2", "name": "get_weather", "content": "18C"},
        ]
    }
    assert written[2]["role"] == "user"
    assert written[3] == messages[4]
    assert written[4]["content"] == 'Checking\n{"tool_calls": [{"name": "f", "arguments": {}}]}'
    assert json.loads(written[5]["content"]) == {"tool_results": [{"name": "f", "content": "done"}]}
    assert len(written) == 6
