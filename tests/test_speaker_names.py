"""A message's `name`, which OmniGate drops: said in its text where it tells speakers of a role apart."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.omnigate._native import Routing, native_chat_body
from omnigate_openai.omnigate._requests import checked_chat_body
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway, ToolCall

CHAT, NATIVE = "/v1/chat/completions", "/v1/chat"
MODEL = "gpt-4o-mini"
PANEL: list[Any] = [  # two users of the same role, as AutoGen's group chat sends them
    {"role": "system", "content": "Judge the haiku."},
    {"role": "user", "name": "alice", "content": "Write a haiku."},
    {"role": "user", "name": "writer", "content": "An old silent pond."},
]
SAID = [
    {"role": "system", "content": "Judge the haiku."},
    {"role": "user", "content": "alice said:\nWrite a haiku."},
    {"role": "user", "content": "writer said:\nAn old silent pond."},
]
TEAM: list[Any] = [  # two agents of the assistant role, as a LangGraph supervisor's shared history holds them
    {"role": "user", "content": "Find the boiling point of water, then write it up."},
    {"role": "assistant", "name": "researcher", "content": "100 C at sea level."},
    {"role": "assistant", "name": "writer", "content": "Water boils at 100 C."},
    {"role": "user", "content": "Shorter, please."},
]
TEAM_SAID = [
    TEAM[0],
    {"role": "assistant", "content": "researcher said:\n100 C at sea level."},
    {"role": "assistant", "content": "writer said:\nWater boils at 100 C."},
    TEAM[3],
]
AGENT: list[Any] = [  # one named agent (LangGraph's `create_agent(..., name="weather_agent")`)
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "name": "weather_agent", "content": "Hello! Ask me about the weather."},
    {"role": "user", "content": "Paris?"},
]
AGENT_SENT = [AGENT[0], {"role": "assistant", "content": "Hello! Ask me about the weather."}, AGENT[2]]
ALICE, ALICE_SAID = {"role": "user", "name": "alice", "content": "Hi"}, {"role": "user", "content": "alice said:\nHi"}


def _check(messages: list[Any], *, allow: bool = False) -> list[Any]:
    body = checked_chat_body({"model": MODEL, "messages": messages}, {}, allow_ignored_fields=allow)
    return body["messages"]  # type: ignore[no-any-return]


def test_the_speaker_is_the_first_line_of_the_text() -> None:
    assert _check(PANEL) == SAID


def test_two_agents_of_the_assistant_role_are_told_apart() -> None:
    assert _check(TEAM) == TEAM_SAID


@pytest.mark.parametrize(
    ("messages", "sent"),
    [
        pytest.param(
            [{"role": "user", "name": "alice", "content": "Hi"}, {"role": "user", "name": "alice", "content": "Bye"}],
            [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Bye"}],
            id="one named user",
        ),
        pytest.param(AGENT, AGENT_SENT, id="one named assistant"),
        pytest.param(
            [{"role": "system", "name": "rules", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            id="one named system",
        ),
        pytest.param(
            [{"role": "user", "name": None, "content": "Hi"}, {"role": "user", "name": "", "content": "Bye"}],
            [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Bye"}],
            id="no name is one speaker",
        ),
        pytest.param(  # unnamed messages do not count: tool emulation adds its own, and attempts must read alike
            [{"role": "user", "content": "Hi"}, {"role": "user", "name": "bob", "content": "Hey"}],
            [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Hey"}],
            id="one name beside unnamed messages",
        ),
        pytest.param(  # each role counts its own speakers: one user, one assistant
            [
                {"role": "user", "name": "alice", "content": "Hi"},
                {"role": "assistant", "name": "bot", "content": "Hey"},
            ],
            [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hey"}],
            id="one speaker in each role",
        ),
    ],
)
def test_a_name_that_tells_no_one_apart_is_removed_and_the_text_left_alone(
    messages: list[Any], sent: list[Any]
) -> None:
    assert _check(messages) == sent


@pytest.mark.parametrize(
    ("messages", "sent"),
    [
        pytest.param(  # the gateway turns developer into system: one role, two speakers
            [
                {"role": "system", "name": "rules", "content": "Be kind."},
                {"role": "developer", "name": "example_user", "content": "Hi"},
            ],
            [
                {"role": "system", "content": "rules said:\nBe kind."},
                {"role": "developer", "content": "example_user said:\nHi"},
            ],
            id="developer and system are one role",
        ),
        pytest.param(  # only the named messages of the role are rewritten
            [ALICE, {"role": "user", "content": "Hi"}, {"role": "user", "name": "bob", "content": "Hey"}],
            [ALICE_SAID, {"role": "user", "content": "Hi"}, {"role": "user", "content": "bob said:\nHey"}],
            id="named and unnamed",
        ),
        pytest.param(  # text parts are flattened first, then the speaker opens the text
            [
                ALICE,
                {
                    "role": "user",
                    "name": "bob",
                    "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}],
                },
            ],
            [ALICE_SAID, {"role": "user", "content": "bob said:\nA\nB"}],
            id="text parts",
        ),
        pytest.param(
            [ALICE, {"role": "user", "name": "bob", "content": None}],
            [ALICE_SAID, {"role": "user", "content": "bob said:\n"}],
            id="no content",
        ),
        pytest.param(  # AutoGen's add_name_prefixes: not doubled
            [ALICE, {"role": "user", "name": "bob", "content": "bob said:\nHey"}],
            [ALICE_SAID, {"role": "user", "content": "bob said:\nHey"}],
            id="already said",
        ),
        pytest.param(  # an assistant's refusal is what it said: it becomes the text, then the speaker opens it
            [TEAM[1], {"role": "assistant", "name": "writer", "content": None, "refusal": "I can't."}],
            [TEAM_SAID[1], {"role": "assistant", "content": "writer said:\nI can't."}],
            id="refusal",
        ),
    ],
)
def test_a_name_that_tells_speakers_apart_is_said(messages: list[Any], sent: list[Any]) -> None:
    assert _check(messages) == sent


def test_a_named_tool_call_turn_sent_without_emulation_says_who_took_it() -> None:
    """With `emulate_tools=False` and the opt-out, the gateway drops `tool_calls`: the turn still says its speaker."""
    call = {"id": "call_1", "type": "function", "function": {"name": "transfer_to_writer", "arguments": "{}"}}
    turn = {"role": "assistant", "name": "supervisor", "content": None, "tool_calls": [call]}
    with pytest.raises(og.UnsupportedFeatureError, match=re.escape("OmniGate drops `tool_calls`")):
        _check([TEAM[0], turn, TEAM[2]])
    checked = _check([TEAM[0], turn, TEAM[2]], allow=True)
    assert checked[1] == {"role": "assistant", "content": "supervisor said:\n", "tool_calls": [call]}
    assert checked[2] == TEAM_SAID[2]


def test_the_callers_messages_are_not_mutated() -> None:
    messages = [dict(message) for message in [*PANEL, *TEAM, *AGENT]]
    _check(messages)
    assert messages == [*PANEL, *TEAM, *AGENT]


def test_the_native_route_says_the_speaker_too() -> None:
    body = native_chat_body({"model": MODEL, "messages": PANEL}, Routing(cache=True))
    assert body["messages"] == SAID
    body = native_chat_body({"model": MODEL, "messages": TEAM}, Routing(cache=True))
    assert body["messages"] == TEAM_SAID
    body = native_chat_body({"model": MODEL, "messages": AGENT}, Routing(cache=True))
    assert body["messages"] == AGENT_SENT


# -- over the local gateway ----------------------------------------------------------------------


def test_the_gateway_reads_who_spoke_and_meta_says_it_was_emulated(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=PANEL)
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert local_gateway.calls.last.json["messages"] == SAID
    assert og.meta(completion).emulated == ("message_names",)
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=PANEL)
    assert og.meta(raw).emulated == og.meta(raw.parse()).emulated == ("message_names",)
    plain = client.chat.completions.create(model=MODEL, messages=SAID)
    assert og.meta(plain).emulated == ()


async def test_async_the_gateway_reads_who_spoke(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    completion = await async_client.chat.completions.create(model=MODEL, messages=PANEL)
    assert local_gateway.calls.last.json["messages"] == SAID
    assert og.meta(completion).emulated == ("message_names",)


def test_a_stream_says_it_from_the_start(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    stream = client.chat.completions.create(model=MODEL, messages=PANEL, stream=True)
    assert og.meta(stream).emulated == ("message_names",)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == DEFAULT_REPLY
    assert og.meta(stream).emulated == ("message_names",)  # kept when the usage chunk prices the stream
    assert local_gateway.calls.last.json["messages"] == SAID


async def test_async_a_stream_says_it(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    stream = await async_client.chat.completions.create(model=MODEL, messages=PANEL, stream=True)
    assert og.meta(stream).emulated == ("message_names",)
    assert "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]) == DEFAULT_REPLY
    assert og.meta(stream).emulated == ("message_names",)
    assert local_gateway.calls.last.json["messages"] == SAID


def test_a_routed_call_says_it(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=PANEL)
    assert local_gateway.calls.to(NATIVE)[-1].json["messages"] == SAID
    assert og.meta(completion).emulated == ("message_names",)
    stream = client.with_routing(cache=False).chat.completions.create(model=MODEL, messages=PANEL, stream=True)
    assert og.meta(stream).emulated == ("message_names",)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == DEFAULT_REPLY


async def test_async_a_routed_call_says_it(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    completion = await async_client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=PANEL)
    assert local_gateway.calls.to(NATIVE)[-1].json["messages"] == SAID
    assert og.meta(completion).emulated == ("message_names",)


# Two agents' turns (a multi-agent history) are said; one named agent's are sent as they are, nameless.


def test_two_agents_turns_are_said_on_every_route(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=TEAM)
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert local_gateway.calls.last.json["messages"] == TEAM_SAID
    assert og.meta(completion).emulated == ("message_names",)
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=TEAM)
    assert og.meta(raw).emulated == og.meta(raw.parse()).emulated == ("message_names",)
    stream = client.chat.completions.create(model=MODEL, messages=TEAM, stream=True)
    assert og.meta(stream).emulated == ("message_names",)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == DEFAULT_REPLY
    assert og.meta(stream).emulated == ("message_names",)
    routed = client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=TEAM)
    assert local_gateway.calls.to(NATIVE)[-1].json["messages"] == TEAM_SAID
    assert og.meta(routed).emulated == ("message_names",)
    assert [call.json["messages"] for call in local_gateway.calls.to(CHAT)] == [TEAM_SAID] * 3


async def test_async_two_agents_turns_are_said(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    completion = await async_client.chat.completions.create(model=MODEL, messages=TEAM)
    assert og.meta(completion).emulated == ("message_names",)
    stream = await async_client.chat.completions.create(model=MODEL, messages=TEAM, stream=True)
    assert og.meta(stream).emulated == ("message_names",)
    assert "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]) == DEFAULT_REPLY
    routed = await async_client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=TEAM)
    assert og.meta(routed).emulated == ("message_names",)
    assert [call.json["messages"] for call in local_gateway.calls.to(CHAT)] == [TEAM_SAID] * 2
    assert local_gateway.calls.to(NATIVE)[-1].json["messages"] == TEAM_SAID


LONE_USER: list[Any] = [{"role": "user", "name": "alice", "content": "Hi"}]


@pytest.mark.parametrize("messages", [AGENT, LONE_USER], ids=["agent", "user"])
def test_one_named_speaker_is_sent_as_it_is_and_nothing_is_emulated(
    client: og.OpenAI, local_gateway: LocalGateway, messages: list[Any]
) -> None:
    sent = [{key: value for key, value in message.items() if key != "name"} for message in messages]
    completion = client.chat.completions.create(model=MODEL, messages=messages)
    assert og.meta(completion).emulated == ()
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=messages)
    assert og.meta(raw).emulated == og.meta(raw.parse()).emulated == ()
    stream = client.chat.completions.create(model=MODEL, messages=messages, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == DEFAULT_REPLY
    assert og.meta(stream).emulated == ()
    routed = client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=messages)
    assert og.meta(routed).emulated == ()
    assert [call.json["messages"] for call in local_gateway.calls.to(CHAT)] == [sent] * 3
    assert local_gateway.calls.to(NATIVE)[-1].json["messages"] == sent


async def test_async_one_named_agent_is_sent_as_it_is(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    completion = await async_client.chat.completions.create(model=MODEL, messages=AGENT)
    assert og.meta(completion).emulated == ()
    stream = await async_client.chat.completions.create(model=MODEL, messages=AGENT, stream=True)
    assert "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices]) == DEFAULT_REPLY
    assert og.meta(stream).emulated == ()
    routed = await async_client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=AGENT)
    assert og.meta(routed).emulated == ()
    assert [call.json["messages"] for call in local_gateway.calls.to(CHAT)] == [AGENT_SENT] * 2
    assert local_gateway.calls.to(NATIVE)[-1].json["messages"] == AGENT_SENT


# -- with emulated tools: the tool history is written as text first, then the speakers are said -------------

WEATHER: dict[str, Any] = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
ENVELOPE = {"tool_calls": [{"id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}]}


def _tool_history(caller: str, answerer: str) -> list[Any]:
    """A turn that called a tool (`content` None, as the SDK sends it), its result, and an answer."""
    return [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "name": caller, "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "21 C"},
        {"role": "assistant", "name": answerer, "content": "It is 21 C."},
        {"role": "user", "content": "And tomorrow?"},
    ]


def _assistant_texts(call: Any) -> list[str]:
    return [message["content"] for message in call.json["messages"] if message["role"] == "assistant"]


def test_with_emulated_tools_both_are_said(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=PANEL, tools=[WEATHER])
    assert completion.choices[0].message.tool_calls
    assert og.meta(completion).emulated == ("tools", "message_names")
    [call] = local_gateway.calls.to(CHAT)
    assert call.json["messages"][-1]["content"] == "writer said:\nAn old silent pond."
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    stream = client.chat.completions.create(model=MODEL, messages=PANEL, tools=[WEATHER], stream=True)
    assert [chunk for chunk in stream]
    assert og.meta(stream).emulated == ("tools", "message_names")


async def test_async_with_emulated_tools_both_are_said(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = await async_client.chat.completions.create(model=MODEL, messages=PANEL, tools=[WEATHER])
    assert og.meta(completion).emulated == ("tools", "message_names")


def test_a_named_tool_call_turn_opens_its_written_call_with_its_speaker(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    """The emulation writes the call as text before the names are checked: the speaker opens that text."""
    local_gateway.model.script(DEFAULT_REPLY, DEFAULT_REPLY)
    completion = client.chat.completions.create(
        model=MODEL, messages=_tool_history("supervisor", "researcher"), tools=[WEATHER]
    )
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert og.meta(completion).emulated == ("tools", "tool_history", "message_names")
    call_text, answer_text = _assistant_texts(local_gateway.calls.last)
    assert call_text.startswith("supervisor said:\n")
    assert json.loads(call_text.removeprefix("supervisor said:\n")) == ENVELOPE
    assert answer_text == "researcher said:\nIt is 21 C."
    stream = client.chat.completions.create(
        model=MODEL, messages=_tool_history("supervisor", "researcher"), tools=[WEATHER], stream=True
    )
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == DEFAULT_REPLY
    assert og.meta(stream).emulated == ("tools", "tool_history", "message_names")
    assert _assistant_texts(local_gateway.calls.last) == [call_text, answer_text]


def test_one_named_agents_tool_history_is_written_without_its_name(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=_tool_history("agent", "agent"), tools=[WEATHER])
    assert og.meta(completion).emulated == ("tools", "tool_history")
    call_text, answer_text = _assistant_texts(local_gateway.calls.last)
    assert (json.loads(call_text), answer_text) == (ENVELOPE, "It is 21 C.")
    assert all("name" not in message for message in local_gateway.calls.last.json["messages"])


async def test_async_a_named_tool_history(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    told = await async_client.chat.completions.create(
        model=MODEL, messages=_tool_history("supervisor", "researcher"), tools=[WEATHER]
    )
    assert og.meta(told).emulated == ("tools", "tool_history", "message_names")
    assert _assistant_texts(local_gateway.calls.last)[1] == "researcher said:\nIt is 21 C."
    local_gateway.model.script(DEFAULT_REPLY)
    one = await async_client.chat.completions.create(
        model=MODEL, messages=_tool_history("agent", "agent"), tools=[WEATHER], stream=True
    )
    assert "".join([chunk.choices[0].delta.content or "" async for chunk in one if chunk.choices]) == DEFAULT_REPLY
    assert og.meta(one).emulated == ("tools", "tool_history")
    assert _assistant_texts(local_gateway.calls.last)[1] == "It is 21 C."


REQUIRED_CITY: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
BROKEN = '{"tool_calls": [{"name": "get_weather", "arguments": {}}]}'  # no city: asked again


def _names_said(call: Any) -> list[str]:
    return [m["content"] for m in call.json["messages"] if str(m.get("content")).startswith("weather_agent said:")]


def test_a_reask_reads_one_named_agent_as_the_first_attempt_did(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """The re-ask adds unnamed turns of its own: they must not make the lone agent a second speaker."""
    local_gateway.model.script(BROKEN, ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=AGENT, tools=[REQUIRED_CITY])
    assert og.meta(completion).attempts == 2
    assert "message_names" not in og.meta(completion).emulated
    first, second = local_gateway.calls.to(CHAT)
    assert _names_said(first) == _names_said(second) == []


async def test_async_a_reask_reads_one_named_agent_as_the_first_attempt_did(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script(BROKEN, ToolCall("get_weather", {"city": "Paris"}))
    completion = await async_client.chat.completions.create(model=MODEL, messages=AGENT, tools=[REQUIRED_CITY])
    assert og.meta(completion).attempts == 2
    assert "message_names" not in og.meta(completion).emulated
    first, second = local_gateway.calls.to(CHAT)
    assert _names_said(first) == _names_said(second) == []


# A content that is not text is the gateway's to refuse (or the native route's), named or not, as before.
NOT_TEXT: list[Any] = [ALICE, {"role": "user", "name": "bob", "content": 123}]


def test_a_named_message_whose_content_is_not_text_gets_the_gateways_refusal(client: og.OpenAI) -> None:
    with pytest.raises(og.APIError, match=re.escape("body.messages.1.content.str: Input should be a valid string")):
        client.chat.completions.create(model=MODEL, messages=NOT_TEXT)
    with pytest.raises(og.UnsupportedFeatureError, match=re.escape("messages[1].content is 123")):
        client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=NOT_TEXT)


async def test_async_a_named_message_whose_content_is_not_text_gets_the_gateways_refusal(
    async_client: og.AsyncOpenAI,
) -> None:
    with pytest.raises(og.APIError, match=re.escape("body.messages.1.content.str: Input should be a valid string")):
        await async_client.chat.completions.create(model=MODEL, messages=NOT_TEXT)
    with pytest.raises(og.UnsupportedFeatureError, match=re.escape("messages[1].content is 123")):
        await async_client.with_routing(cache=True).chat.completions.create(model=MODEL, messages=NOT_TEXT)
