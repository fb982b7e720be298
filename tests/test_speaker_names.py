"""A message's `name`, which OmniGate drops: said in the message's text, and `meta().emulated` says so."""

from __future__ import annotations

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


def _check(messages: list[Any], *, allow: bool = False) -> list[Any]:
    body = checked_chat_body({"model": MODEL, "messages": messages}, {}, allow_ignored_fields=allow)
    return body["messages"]  # type: ignore[no-any-return]


def test_the_speaker_is_the_first_line_of_the_text() -> None:
    assert _check(PANEL) == SAID


@pytest.mark.parametrize(
    ("message", "sent"),
    [
        ({"role": "developer", "name": "example_user", "content": "Hi"}, "example_user said:\nHi"),
        ({"role": "system", "name": "rules", "content": "Be brief."}, "rules said:\nBe brief."),
        (
            {"role": "user", "name": "bob", "content": [{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]},
            "bob said:\nA\nB",
        ),
        ({"role": "user", "name": "bob", "content": None}, "bob said:\n"),
        ({"role": "user", "name": "bob", "content": "bob said:\nHi"}, "bob said:\nHi"),  # AutoGen's add_name_prefixes
    ],
)
def test_every_role_but_the_assistants_says_its_speaker(message: dict[str, Any], sent: str) -> None:
    [checked] = _check([message])
    assert checked == {"role": message["role"], "content": sent}


@pytest.mark.parametrize("name", [None, ""])
def test_no_name_no_rewrite(name: str | None) -> None:
    message = {"role": "user", "name": name, "content": "Hi"}
    assert _check([message]) == [message]


def test_an_assistants_name_is_refused_the_opt_out_sends_it() -> None:
    """An assistant shown its own turns opening with a name opens its answer with one: not a faithful rewrite."""
    named = {"role": "assistant", "name": "researcher", "content": "Found it."}
    with pytest.raises(
        og.UnsupportedFeatureError, match=re.escape("OmniGate drops `name`; messages[1] is an assistant turn named")
    ) as caught:
        _check([PANEL[1], named])
    assert caught.value.field == "messages[1].name"
    assert "allow_ignored_fields=True" in str(caught.value)
    assert _check([PANEL[1], named], allow=True) == [SAID[1], named]


def test_the_callers_messages_are_not_mutated() -> None:
    messages = [dict(message) for message in PANEL]
    _check(messages)
    assert messages == PANEL


def test_the_native_route_says_the_speaker_too() -> None:
    body = native_chat_body({"model": MODEL, "messages": PANEL}, Routing(cache=True))
    assert body["messages"] == SAID


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


WEATHER: dict[str, Any] = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}


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


def test_an_assistants_name_is_refused_before_sending(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    named = {"role": "assistant", "name": "researcher", "content": "Found it."}
    with pytest.raises(og.UnsupportedFeatureError, match=r"messages\[1\] is an assistant turn named 'researcher'"):
        client.chat.completions.create(model=MODEL, messages=[PANEL[1], named, PANEL[2]])
    assert local_gateway.calls.to(CHAT) == []


async def test_async_an_assistants_name_is_refused(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    named = {"role": "assistant", "name": "researcher", "content": "Found it."}
    with pytest.raises(og.UnsupportedFeatureError, match=r"messages\[1\] is an assistant turn named 'researcher'"):
        await async_client.chat.completions.create(model=MODEL, messages=[PANEL[1], named, PANEL[2]])
    assert local_gateway.calls.to(CHAT) == []
