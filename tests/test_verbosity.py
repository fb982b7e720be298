"""`verbosity` on chat completions: said in the system message, as Responses' `text.verbosity` is, never sent."""

from __future__ import annotations

from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai._verbosity import verbosity_line
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway

MODEL = "gpt-4o-mini"
BRIEF = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
LOW = "Keep the answer as short as the question allows."
HIGH = "Give a thorough, detailed answer."
WEATHER: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
CHAT = "/v1/chat/completions"
WAYS = ["field", "extra_body"]
"""How a call asks: the SDK's `verbosity=` argument, or `extra_body={"verbosity": ...}` (the SDK merges it in
after the client's hooks have seen the body), served alike."""


def _asking(way: str, verbosity: object) -> dict[str, Any]:
    return {"verbosity": verbosity} if way == "field" else {"extra_body": {"verbosity": verbosity}}


def _sent(gateway: LocalGateway) -> dict[str, Any]:
    [call] = gateway.calls.to(CHAT)
    return call.json  # type: ignore[no-any-return]


@pytest.mark.parametrize(("verbosity", "line"), [("low", LOW), ("medium", ""), ("high", HIGH), (None, "")])
def test_each_verbosity_has_its_line(verbosity: str | None, line: str) -> None:
    assert verbosity_line(verbosity, field="verbosity") == line


@pytest.mark.parametrize("given", ["loud", "LOW", 3, ["low"]])
def test_a_verbosity_openai_does_not_define_is_named_with_its_field(given: object) -> None:
    with pytest.raises(ValueError, match=r"^Expected `text.verbosity` to be one of \['high', 'low', 'medium'\], got "):
        verbosity_line(given, field="text.verbosity")


@pytest.mark.parametrize("way", WAYS)
def test_low_is_a_line_of_the_system_message_and_not_sent(
    client: og.OpenAI, local_gateway: LocalGateway, way: str
) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=BRIEF, **_asking(way, "low"))  # type: ignore[arg-type]
    assert completion.choices[0].message.content == DEFAULT_REPLY
    sent = _sent(local_gateway)
    assert "verbosity" not in sent
    assert sent["messages"] == [{"role": "system", "content": f"Be brief.\n\n{LOW}"}, BRIEF[1]]
    assert (og.meta(completion).emulated, og.meta(completion).attempts) == (("verbosity",), 1)


async def test_high_without_a_system_message_gets_one(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    completion = await async_client.chat.completions.create(
        model=MODEL,
        messages=BRIEF[1:],
        verbosity="high",  # type: ignore[arg-type]
    )
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert _sent(local_gateway)["messages"] == [{"role": "system", "content": HIGH}, BRIEF[1]]
    assert og.meta(completion).emulated == ("verbosity",)


def test_medium_is_the_models_default_and_adds_nothing(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=BRIEF, verbosity="medium")  # type: ignore[arg-type]
    assert _sent(local_gateway) == {"model": MODEL, "messages": BRIEF}
    assert og.meta(completion).emulated == ("verbosity",)  # served: the gateway never saw the field


def test_a_call_without_verbosity_is_untouched(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.chat.completions.create(model=MODEL, messages=BRIEF)  # type: ignore[arg-type]
    assert _sent(local_gateway)["messages"] == BRIEF
    assert og.meta(completion).emulated == ()


@pytest.mark.parametrize("way", WAYS)
def test_a_stream_says_it_was_served_from_the_start(client: og.OpenAI, local_gateway: LocalGateway, way: str) -> None:
    stream = client.chat.completions.create(model=MODEL, messages=BRIEF, stream=True, **_asking(way, "low"))  # type: ignore[arg-type]
    assert og.meta(stream).emulated == ("verbosity",)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == DEFAULT_REPLY
    assert og.meta(stream).emulated == ("verbosity",)  # kept when the usage chunk prices the stream
    assert og.meta(stream).provider == "openai"  # set by the usage chunk
    sent = _sent(local_gateway)
    assert "verbosity" not in sent
    assert sent["messages"][0]["content"] == f"Be brief.\n\n{LOW}"


@pytest.mark.parametrize("way", WAYS)
async def test_an_async_stream(async_client: og.AsyncOpenAI, local_gateway: LocalGateway, way: str) -> None:
    stream = await async_client.chat.completions.create(
        model=MODEL,
        messages=BRIEF,
        stream=True,
        **_asking(way, "high"),  # type: ignore[arg-type]
    )
    text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
    assert text == DEFAULT_REPLY
    assert og.meta(stream).emulated == ("verbosity",)
    assert "verbosity" not in _sent(local_gateway)
    assert _sent(local_gateway)["messages"][0]["content"] == f"Be brief.\n\n{HIGH}"


@pytest.mark.parametrize("stream", [False, True])
async def test_extra_body_wins_over_the_field_as_in_what_the_sdk_sends(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway, stream: bool
) -> None:
    answer: Any = await async_client.chat.completions.create(
        model=MODEL,
        messages=BRIEF,
        verbosity="high",  # type: ignore[arg-type]
        extra_body={"verbosity": "low", "seed": 7},
        stream=stream,
    )
    if stream:
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in answer if chunk.choices])
        assert text == DEFAULT_REPLY
    sent = _sent(local_gateway)
    assert (sent.get("verbosity"), sent["seed"]) == (None, 7)  # the rest of `extra_body` is sent as given
    assert sent["messages"][0]["content"] == f"Be brief.\n\n{LOW}"
    assert og.meta(answer).emulated == ("verbosity",)


def test_a_raw_response_parses_to_the_flagged_completion(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=BRIEF, verbosity="low")  # type: ignore[arg-type]
    assert og.meta(raw.parse()).emulated == ("verbosity",)
    assert "verbosity" not in _sent(local_gateway)


@pytest.mark.parametrize("stream", [False, True])
def test_with_emulated_tools_the_line_comes_before_the_tools(
    client: og.OpenAI, local_gateway: LocalGateway, stream: bool
) -> None:
    answer: Any = client.chat.completions.create(
        model=MODEL,
        messages=BRIEF,
        tools=[WEATHER],
        verbosity="low",
        stream=stream,  # type: ignore[arg-type]
    )
    if stream:
        calls = [call for chunk in answer if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()]
        assert calls[0].function.name == "get_weather"
    else:
        assert answer.choices[0].message.tool_calls[0].function.name == "get_weather"
    assert og.meta(answer).emulated == ("tools", "verbosity")
    sent = _sent(local_gateway)
    assert not {"tools", "verbosity"} & sent.keys()
    assert sent["messages"][0]["content"].startswith(f"Be brief.\n\n{LOW}\n\n# Tools\n")


def test_chat_and_responses_send_the_same_messages(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    client.responses.create(
        model=MODEL, instructions="Be brief.", input="Hello", tools=[_responses_tool()], text={"verbosity": "low"}
    )
    client.chat.completions.create(model=MODEL, messages=BRIEF, tools=[WEATHER], verbosity="low")  # type: ignore[arg-type]
    over_responses, over_chat = (call.json for call in local_gateway.calls.to(CHAT))
    assert over_chat == over_responses


@pytest.mark.parametrize("stream", [False, True])
def test_responses_says_it_and_its_metadata_names_it(
    client: og.OpenAI, local_gateway: LocalGateway, stream: bool
) -> None:
    answer: Any = client.responses.create(model=MODEL, input="Hello", text={"verbosity": "high"}, stream=stream)
    if stream:
        events = list(answer)
        assert events[-1].response.output_text == DEFAULT_REPLY
    else:
        assert answer.output_text == DEFAULT_REPLY
    sent = _sent(local_gateway)
    assert "verbosity" not in sent
    assert sent["messages"] == [{"role": "system", "content": HIGH}, BRIEF[1]]
    assert og.meta(answer).emulated == ("verbosity", "responses")


def test_responses_puts_the_line_where_chat_does_after_a_leading_developer_message(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    conversation = [{"role": "developer", "content": "Be brief."}, BRIEF[1]]
    client.responses.create(model=MODEL, input=conversation, text={"verbosity": "low"})  # type: ignore[arg-type]
    client.chat.completions.create(model=MODEL, messages=conversation, verbosity="low")  # type: ignore[arg-type]
    over_responses, over_chat = (call.json for call in local_gateway.calls.to(CHAT))
    assert over_responses == over_chat
    assert over_chat["messages"][0] == {"role": "developer", "content": f"Be brief.\n\n{LOW}"}


def _responses_tool() -> Any:
    function = WEATHER["function"]
    return {"type": "function", "name": function["name"], "description": function["description"],
            "parameters": function["parameters"], "strict": None}  # fmt: skip


def test_extra_body_omitting_it_sends_none_and_says_nothing(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        messages=BRIEF,
        verbosity="low",  # type: ignore[arg-type]
        extra_body={"verbosity": openai.omit},
    )
    assert _sent(local_gateway) == {"model": MODEL, "messages": BRIEF}
    assert og.meta(completion).emulated == ()


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("given", ["loud", 3])
def test_an_undefined_verbosity_is_refused_before_sending(
    client: og.OpenAI, local_gateway: LocalGateway, given: object, way: str
) -> None:
    expected = rf"^Expected `verbosity` to be one of \['high', 'low', 'medium'\], got {given!r}$"
    with pytest.raises(ValueError, match=expected):
        client.chat.completions.create(model=MODEL, messages=BRIEF, **_asking(way, given))  # type: ignore[arg-type]
    assert local_gateway.calls.to(CHAT) == []


@pytest.mark.parametrize("way", WAYS)
async def test_an_undefined_verbosity_is_refused_before_an_async_stream(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway, way: str
) -> None:
    expected = r"^Expected `verbosity` to be one of \['high', 'low', 'medium'\], got 'loud'$"
    with pytest.raises(ValueError, match=expected):
        await async_client.chat.completions.create(
            model=MODEL,
            messages=BRIEF,
            stream=True,
            **_asking(way, "loud"),  # type: ignore[arg-type]
        )
    assert local_gateway.calls.to(CHAT) == []


def test_allow_ignored_fields_still_serves_it_as_responses_does(local_gateway: LocalGateway) -> None:
    """The flag sends fields that would otherwise be refused; `verbosity` never was: it is served, on either API."""
    with og.OpenAI(
        base_url=local_gateway.base_url, api_key=local_gateway.api_key, allow_ignored_fields=True, max_retries=0
    ) as client:
        completion = client.chat.completions.create(model=MODEL, messages=BRIEF, verbosity="low")  # type: ignore[arg-type]
    assert og.meta(completion).emulated == ("verbosity",)
    assert _sent(local_gateway)["messages"][0]["content"] == f"Be brief.\n\n{LOW}"
    assert "verbosity" not in _sent(local_gateway)


def test_without_tool_emulation_verbosity_is_served_and_tools_still_refused(local_gateway: LocalGateway) -> None:
    with og.OpenAI(
        base_url=local_gateway.base_url, api_key=local_gateway.api_key, emulate_tools=False, max_retries=0
    ) as client:
        completion = client.chat.completions.create(model=MODEL, messages=BRIEF, verbosity="low")  # type: ignore[arg-type]
        assert og.meta(completion).emulated == ("verbosity",)
        with pytest.raises(og.UnsupportedFeatureError, match="silently ignores `tools`") as caught:
            client.chat.completions.create(model=MODEL, messages=BRIEF, tools=[WEATHER], verbosity="low")  # type: ignore[arg-type]
    assert caught.value.field == "tools"
    assert len(local_gateway.calls.to(CHAT)) == 1


@pytest.mark.parametrize("way", WAYS)
def test_a_routed_call_takes_the_native_route_with_the_line(
    client: og.OpenAI, local_gateway: LocalGateway, way: str
) -> None:
    completion = client.with_routing(cache=False).chat.completions.create(
        model=MODEL,
        messages=BRIEF,
        **_asking(way, "low"),  # type: ignore[arg-type]
    )
    assert completion.choices[0].message.content == DEFAULT_REPLY
    [call] = local_gateway.calls.to("/v1/chat")
    assert "verbosity" not in call.json
    assert call.json["messages"][0] == {"role": "system", "content": f"Be brief.\n\n{LOW}"}
    assert og.meta(completion).emulated == ("verbosity",)


@pytest.mark.parametrize("way", WAYS)
def test_flow_says_it_too_and_keeps_its_native_tools(flow_gateway: LocalFlowGateway, way: str) -> None:
    """LiteLLM refuses `verbosity` for most models (`tests/flow/test_litellm_proxy.py`): Flow serves it by prompt."""
    with flow.OpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0) as client:
        completion = client.chat.completions.create(
            model="openai/gpt-4o",
            messages=BRIEF,
            tools=[WEATHER],
            **_asking(way, "low"),  # type: ignore[arg-type]
        )
    assert completion.choices[0].message.tool_calls is not None  # answered natively by the gateway
    sent = flow_gateway.calls.last.json
    assert "verbosity" not in sent
    assert sent["tools"] == [WEATHER]
    assert sent["messages"][0] == {"role": "system", "content": f"Be brief.\n\n{LOW}"}
    assert og.meta(completion).emulated == ("verbosity",)
