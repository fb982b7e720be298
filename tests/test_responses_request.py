"""Responses requests as the chat requests that serve them (pure: no client, no gateway)."""

from __future__ import annotations

from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai._responses_request import chat_plan, input_messages
from omnigate_openai.omnigate._profile import OMNIGATE

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    "strict": True,
}
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}


def _chat(**body: Any) -> dict[str, Any]:
    return chat_plan(
        {"model": "gpt-4o-mini", "input": "Hi", **body}, store=og.MemoryResponseStore(), profile=OMNIGATE
    ).chat


def test_function_tools_and_the_choice_become_chat_tools() -> None:
    chat = _chat(tools=[WEATHER], tool_choice={"type": "function", "name": "get_weather"}, parallel_tool_calls=False)
    assert chat["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "parameters": WEATHER["parameters"],
                "description": "The weather in a city.",
                "strict": True,
            },
        }
    ]
    assert chat["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert chat["parallel_tool_calls"] is False


@pytest.mark.parametrize("choice", ["auto", "none", "required"])
def test_named_tool_choices_pass_unchanged(choice: str) -> None:
    assert _chat(tools=[WEATHER], tool_choice=choice)["tool_choice"] == choice


def test_a_tool_without_parameters_gets_an_empty_object_schema() -> None:
    chat = _chat(tools=[{"type": "function", "name": "now", "parameters": None, "strict": None}])
    assert chat["tools"] == [
        {"type": "function", "function": {"name": "now", "parameters": {"type": "object", "properties": {}}}}
    ]


@pytest.mark.parametrize(
    ("fmt", "response_format"),
    [
        ({"type": "text"}, None),
        ({"type": "json_object"}, {"type": "json_object"}),
        (
            {"type": "json_schema", "name": "Person", "schema": SCHEMA, "strict": True},
            {"type": "json_schema", "json_schema": {"name": "Person", "schema": SCHEMA, "strict": True}},
        ),
    ],
)
def test_text_format_becomes_the_response_format(fmt: dict[str, Any], response_format: object) -> None:
    assert _chat(text={"format": fmt}).get("response_format") == response_format


def test_function_call_items_become_assistant_tool_calls_and_tool_messages() -> None:
    messages = input_messages(
        [
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"city":"Paris"}'},
            {"type": "function_call", "call_id": "call_2", "name": "get_weather", "arguments": '{"city":"Rome"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "Sunny"},
            {"type": "function_call_output", "call_id": "call_2", "output": [{"type": "input_text", "text": "Rain"}]},
        ]
    )
    assert messages == [
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
        {"role": "tool", "tool_call_id": "call_1", "content": "Sunny"},
        {"role": "tool", "tool_call_id": "call_2", "content": "Rain"},
    ]


def test_a_function_call_after_assistant_text_joins_that_message() -> None:
    messages = input_messages(
        [
            {"role": "assistant", "content": "Let me look."},
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"},
        ]
    )
    assert messages == [
        {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        }
    ]


def test_the_echo_repeats_the_request_with_openais_defaults() -> None:
    plan = chat_plan(
        {"model": "gpt-4o-mini", "input": "Hi", "tools": [WEATHER]}, store=og.MemoryResponseStore(), profile=OMNIGATE
    )
    assert plan.echo["tools"] == [WEATHER]
    assert (plan.echo["tool_choice"], plan.echo["parallel_tool_calls"], plan.echo["text"]) == (
        "auto",
        True,
        {"format": {"type": "text"}},
    )
    assert plan.store is True


@pytest.mark.parametrize("verbosity", ["low", "medium", "high"])
def test_verbosity_is_handed_to_the_chat_call(verbosity: str) -> None:
    """The chat layer sends it or says it, as the gateway and model allow (`tests/test_verbosity.py`, Flow's too)."""
    chat = _chat(instructions="Be brief.", text={"verbosity": verbosity})
    assert chat["verbosity"] == verbosity
    assert chat["messages"][0] == {"role": "system", "content": "Be brief."}


@pytest.mark.parametrize("verbosity", ["low", "medium", "high"])
def test_the_echo_repeats_the_verbosity(verbosity: str) -> None:
    plan = chat_plan(
        {"model": "gpt-4o-mini", "input": "Hi", "text": {"verbosity": verbosity}},
        store=og.MemoryResponseStore(),
        profile=OMNIGATE,
    )
    assert plan.echo["text"] == {"format": {"type": "text"}, "verbosity": verbosity}


def test_without_verbosity_the_chat_call_has_none() -> None:
    assert "verbosity" not in _chat(instructions="Be brief.")
