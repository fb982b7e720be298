"""Tools and structured output by prompt, end to end against the local gateway over loopback."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import openai
import pytest
from openai.lib.streaming.chat import ChatCompletionStreamState
from pydantic import BaseModel

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server
from omnigate_openai.testing import LocalGateway, ToolCall

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather of a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "additionalProperties": False,
        },
    },
}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]
MODEL = "gpt-4o-mini"


class Person(BaseModel):
    name: str
    age: int


def _billed(gateway: LocalGateway) -> Decimal:
    return sum((row.cost for row in gateway.state.usage), Decimal(0))


def _sent(gateway: LocalGateway) -> dict[str, Any]:
    return gateway.calls.to("/v1/chat/completions")[-1].json


def test_a_tool_call_comes_back_as_a_genuine_completion(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert isinstance(call, openai.types.chat.ChatCompletionMessageFunctionToolCall)
    assert call.id.startswith("call_")
    assert len(call.id) == 29
    assert (call.type, call.function.name, call.function.arguments) == ("function", "get_weather", '{"city":"Paris"}')
    sent = _sent(local_gateway)
    assert not {"tools", "tool_choice", "response_format"} & sent.keys()  # nothing the gateway would drop
    assert sent["messages"][0]["role"] == "system"
    assert "## get_weather\nThe weather of a city." in sent["messages"][0]["content"]
    found = og.meta(completion)
    assert (found.emulated, found.attempts) == (("tools",), 1)
    assert found.cost_usd == float(_billed(local_gateway))


def test_the_tool_loop_runs_and_the_answer_uses_the_result(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    messages: list[Any] = list(ASK)
    first = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER]).choices[0].message
    (call,) = first.tool_calls or []
    assert json.loads(call.function.arguments) == {"city": "a"}  # the default model's schema-valid arguments
    messages += [first, {"role": "tool", "tool_call_id": call.id, "content": "21 C and sunny"}]
    final = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER])
    assert final.choices[0].message.content == "Tool results: get_weather: 21 C and sunny"
    assert final.choices[0].finish_reason == "stop"
    assert og.meta(final).emulated == ("tools", "tool_history")
    history = _sent(local_gateway)["messages"]
    assert json.loads(history[-2]["content"])["tool_calls"][0]["id"] == call.id
    assert json.loads(history[-1]["content"]) == {
        "tool_results": [{"id": call.id, "name": "get_weather", "content": "21 C and sunny"}]
    }


def test_a_broken_answer_is_asked_again_and_its_cost_summed(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(
        '{"tool_calls": [{"name": "get_weather", "arguments": {}}]}', ToolCall("get_weather", {"city": "Oslo"})
    )
    completion = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    assert (completion.choices[0].message.tool_calls or [])[0].function.arguments == '{"city":"Oslo"}'
    rows = local_gateway.state.usage
    assert len(rows) == 2
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == sum(row.prompt_tokens for row in rows)
    assert usage.completion_tokens == sum(row.completion_tokens for row in rows)
    assert og.meta(completion).attempts == 2
    assert og.meta(completion).cost_usd == float(_billed(local_gateway))
    reask = _sent(local_gateway)["messages"][-1]
    assert reask["role"] == "user"
    assert reask["content"].startswith(
        "Your answer could not be used: tool_calls[0] (get_weather) has arguments that break its schema: "
        "'city' is a required property."
    )


@pytest.mark.parametrize("max_reasks", [0, 2])
def test_the_re_asks_are_bounded_then_a_typed_error(local_gateway: LocalGateway, max_reasks: int) -> None:
    local_gateway.model.script(*["I won't call it."] * 5)
    url, key = local_gateway.base_url, local_gateway.api_key
    with (
        og.OpenAI(base_url=url, api_key=key, max_reasks=max_reasks) as client,
        pytest.raises(og.ModelOutputError) as caught,
    ):
        client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], tool_choice="required")
    error = caught.value
    assert isinstance(error, og.GatewayError)
    assert isinstance(error, openai.OpenAIError)
    assert error.attempts == max_reasks + 1 == len(local_gateway.state.usage)
    assert error.raw_reply == "I won't call it."
    assert error.problem == "You must call at least one tool now; answer with the JSON envelope only."
    assert f"after {max_reasks + 1} attempt(s)" in str(error)
    assert og.meta(error).cost_usd == float(_billed(local_gateway))


def test_raw_responses_are_read_and_re_asked_too(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script("not json", '{"name": "Ada", "age": 36}')
    raw = client.chat.completions.with_raw_response.create(
        model=MODEL, messages=ASK, response_format={"type": "json_object"}
    )
    assert raw.headers["x-request-id"]
    completion = raw.parse()
    assert completion.choices[0].message.content == '{"name": "Ada", "age": 36}'
    assert og.meta(completion).attempts == 2


def test_parse_fills_the_parsed_model(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script('Sure! ```json\n{"name": "Ada", "age": 36}\n```')
    completion = client.chat.completions.parse(model=MODEL, messages=ASK, response_format=Person)
    assert completion.choices[0].message.parsed == Person(name="Ada", age=36)
    assert og.meta(completion).emulated == ("response_format",)
    assert "valid against this JSON Schema:" in _sent(local_gateway)["messages"][0]["content"]


def test_parse_with_a_strict_pydantic_tool(client: og.OpenAI) -> None:
    tool = openai.pydantic_function_tool(Person, name="save_person")
    completion = client.chat.completions.parse(model=MODEL, messages=ASK, tools=[tool])
    (call,) = completion.choices[0].message.tool_calls or []
    assert call.function.parsed_arguments == Person(name="a", age=1)  # from the schema-aware default model


def test_the_default_model_answers_a_schema_with_an_instance(client: og.OpenAI) -> None:
    completion = client.chat.completions.parse(model=MODEL, messages=ASK, response_format=Person)
    assert completion.choices[0].message.parsed == Person(name="a", age=1)


def test_legacy_functions_get_a_function_call(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    completion = client.chat.completions.create(model=MODEL, messages=ASK, functions=[WEATHER["function"]])  # type: ignore[list-item]
    choice = completion.choices[0]
    assert choice.finish_reason == "function_call"
    assert choice.message.function_call is not None
    assert (choice.message.function_call.name, choice.message.function_call.arguments) == (
        "get_weather",
        '{"city":"Paris"}',
    )


def test_the_native_route_carries_the_emulation(local_gateway: LocalGateway) -> None:
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        routed = client.with_routing(fallbacks=["gpt-4o"])
        first = routed.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER]).choices[0].message
        (call,) = first.tool_calls or []
        messages: list[Any] = [*ASK, first, {"role": "tool", "tool_call_id": call.id, "content": "rain"}]
        final = routed.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER])
    assert final.choices[0].message.content == "Tool results: get_weather: rain"
    assert [call.path for call in local_gateway.calls.to("/v1/chat")] == ["/v1/chat", "/v1/chat"]


async def test_the_async_client_emulates_and_re_asks(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script("nothing", ToolCall("get_weather", {"city": "Paris"}))
    completion = await async_client.chat.completions.create(
        model=MODEL,
        messages=ASK,
        tools=[WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    assert (completion.choices[0].message.tool_calls or [])[0].function.name == "get_weather"
    assert og.meta(completion).attempts == 2
    parsed = await async_client.chat.completions.parse(model=MODEL, messages=ASK, response_format=Person)
    assert parsed.choices[0].message.parsed == Person(name="a", age=1)


# -- streams -----------------------------------------------------------------------------------------------


def _streamed(client: og.OpenAI, **request: Any) -> tuple[list[Any], Any]:
    stream = client.chat.completions.create(model=MODEL, messages=ASK, stream=True, **request)
    state = ChatCompletionStreamState()
    chunks = []
    for chunk in stream:
        chunks.append(chunk)
        state.handle_chunk(chunk)
    return chunks, state.get_final_completion()


@pytest.mark.parametrize(
    "reply",
    [
        ToolCall("get_weather", {"city": "Paris"}),
        [ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {"city": "Rome"})],
        "Sunny, no tool needed.",
        'Checking.\n```json\n{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}\n```',
    ],
)
def test_a_stream_builds_the_message_the_plain_call_returns(
    client: og.OpenAI, local_gateway: LocalGateway, reply: Any
) -> None:
    local_gateway.model.script(reply, reply)
    chunks, streamed = _streamed(client, tools=[WEATHER])
    plain = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    got, want = streamed.choices[0], plain.choices[0]
    assert got.finish_reason == want.finish_reason
    assert got.message.content == want.message.content
    assert [(c.function.name, c.function.arguments) for c in got.message.tool_calls or []] == [
        (c.function.name, c.function.arguments) for c in want.message.tool_calls or []
    ]
    if want.message.tool_calls:
        deltas = [chunk.choices[0].delta.tool_calls for chunk in chunks if chunk.choices[0].delta.tool_calls]
        opening = deltas[0][0]
        assert (opening.index, opening.type, opening.function.name, opening.function.arguments) == (
            0,
            "function",
            "get_weather",
            "",
        )
        assert opening.id.startswith("call_")
        assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_a_text_answer_streams_before_it_ends(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script("It is sunny in Paris today.")
    stream = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True)
    pieces = [chunk.choices[0].delta.content for chunk in stream if chunk.choices[0].delta.content]
    assert len(pieces) > 3  # delta by delta, not held to the end
    assert "".join(pieces) == "It is sunny in Paris today."
    assert og.meta(stream).emulated == ("tools",)


def test_the_stream_helper_parses_a_structured_answer(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script('{"name": "Ada", "age": 36}')
    with client.chat.completions.stream(model=MODEL, messages=ASK, response_format=Person) as stream:
        deltas = [event.delta for event in stream if event.type == "content.delta"]
        final = stream.get_final_completion()
    assert len(deltas) > 3
    assert final.choices[0].message.parsed == Person(name="Ada", age=36)


def test_usage_chunks_pass_through_emulated_streams(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    chunks, _ = _streamed(client, tools=[WEATHER], stream_options={"include_usage": True})
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-2].choices[0].finish_reason == "tool_calls"


def _usage_of_every_attempt(gateway: LocalGateway) -> tuple[int, int, int]:
    rows = gateway.state.usage
    assert len(rows) == 2
    prompt, completion = sum(row.prompt_tokens for row in rows), sum(row.completion_tokens for row in rows)
    return prompt, completion, prompt + completion


def test_a_re_asked_streams_usage_chunk_counts_every_attempt(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script("No tool for you.", ToolCall("get_weather", {"city": "Rome"}))
    guard = og.Guard(limits=og.Limits(max_usd=1.0))
    chunks, _ = _streamed(
        client.with_guard(guard), tools=[WEATHER], tool_choice="required", stream_options={"include_usage": True}
    )
    usage = chunks[-1].usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == _usage_of_every_attempt(local_gateway)
    assert [chunk for chunk in chunks if chunk.usage is not None] == [chunks[-1]]  # the rejected answer's isn't shown
    # The guard settled each attempt on that attempt's own usage, not on the sum shown to the caller.
    rows = local_gateway.state.usage
    assert [(r.prompt_tokens, r.completion_tokens) for r in guard.history()] == [
        (row.prompt_tokens, row.completion_tokens) for row in rows
    ]


async def test_an_async_re_asked_streams_usage_chunk_counts_every_attempt(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script('{"tool_calls": [{"name": "launch"}]}', ToolCall("get_weather", {"city": "Rome"}))
    stream = await async_client.chat.completions.create(
        model=PINNED, messages=ASK, tools=[WEATHER], stream=True, stream_options={"include_usage": True}
    )
    usages = [chunk.usage async for chunk in stream if chunk.usage is not None]
    assert len(usages) == 1
    (usage,) = usages
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == _usage_of_every_attempt(local_gateway)
    assert og.meta(stream).cost_usd == float(_billed(local_gateway))


def test_a_broken_streamed_answer_already_shown_raises_at_its_end(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    broken = 'Launching. {"tool_calls": [{"name": "launch", "arguments": {}}]}'
    local_gateway.model.script(broken)
    stream = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True)
    shown: list[str] = []

    def read() -> None:
        shown.extend(chunk.choices[0].delta.content or "" for chunk in stream)

    with pytest.raises(og.ModelOutputError, match="unknown tool 'launch'") as caught:
        read()
    assert "".join(shown) == "Launching."
    assert caught.value.raw_reply == broken
    assert caught.value.attempts == 1


def test_an_envelope_broken_mid_stream_is_asked_again_quoting_the_whole_answer(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    """Found mid-answer (`tool_calls` is not a list), the rejection waits for the answer's end: the
    scanner's internal error once reached the caller instead."""
    broken = '{"tool_calls": "now"} and then some more text'
    local_gateway.model.script(broken, ToolCall("get_weather", {"city": "Rome"}))
    _, final = _streamed(client, tools=[WEATHER])
    assert [(c.function.name, c.function.arguments) for c in final.choices[0].message.tool_calls or []] == [
        ("get_weather", '{"city":"Rome"}')
    ]
    reask = _sent(local_gateway)["messages"]
    assert reask[-2] == {"role": "assistant", "content": broken}
    assert reask[-1]["content"].startswith(
        """Your answer could not be used: "tool_calls" must be a list of calls; got 'now'."""
    )


async def test_an_envelope_broken_mid_stream_after_text_was_shown_raises_a_typed_error(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    broken = 'Sure. {"tool_calls": "now"} and more'
    local_gateway.model.script(broken)
    stream = await async_client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True)
    shown: list[str] = []

    async def read() -> None:
        async for chunk in stream:
            shown.append(chunk.choices[0].delta.content or "" if chunk.choices else "")

    with pytest.raises(og.ModelOutputError, match="must be a list of calls; got 'now'") as caught:
        await read()
    assert "".join(shown) == "Sure."
    assert (caught.value.raw_reply, caught.value.attempts) == (broken, 1)


@pytest.mark.parametrize("choice", ["auto", "required"])
def test_a_broken_streamed_answer_not_yet_shown_is_asked_again(
    client: og.OpenAI, local_gateway: LocalGateway, choice: str
) -> None:
    broken = "No tool for you." if choice == "required" else '{"tool_calls": [{"name": "launch"}]}'
    local_gateway.model.script(broken, ToolCall("get_weather", {"city": "Rome"}))
    chunks, final = _streamed(client, tools=[WEATHER], tool_choice=choice)
    assert [(c.function.name, c.function.arguments) for c in final.choices[0].message.tool_calls or []] == [
        ("get_weather", '{"city":"Rome"}')
    ]
    assert final.choices[0].message.content is None
    assert final.choices[0].finish_reason == "tool_calls"
    assert len(local_gateway.calls.to("/v1/chat/completions")) == 2
    reask = _sent(local_gateway)["messages"]
    assert reask[-2] == {"role": "assistant", "content": broken}
    assert reask[-1]["content"].startswith("Your answer could not be used: ")
    assert chunks[0].choices[0].delta.role == "assistant"


PINNED = "gpt-4o-mini-2024-07-18"
"""A snapshot: its streams are priced (an alias's stream cost is unknown)."""


REFUSED_THEN_CALLED: Any = {
    "model": PINNED,
    "messages": ASK,
    "tools": [WEATHER],
    "tool_choice": "required",
    "stream": True,
}


def _costs_every_attempt(stream: Any, gateway: LocalGateway) -> None:
    found = og.meta(stream)
    assert (found.attempts, found.emulated) == (2, ("tools",))
    assert len(gateway.state.usage) == 2
    assert Decimal(str(found.cost_usd)) == _billed(gateway)


def test_a_re_asked_stream_costs_every_attempt(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """As an unstreamed call's: the stream's metadata showed only the rejected first attempt's cost."""
    local_gateway.model.script("No tool for you.", ToolCall("get_weather", {"city": "Rome"}))
    stream = client.chat.completions.create(**REFUSED_THEN_CALLED)
    for _ in stream:
        pass
    _costs_every_attempt(stream, local_gateway)


async def test_a_re_asked_async_stream_costs_every_attempt(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script("No tool for you.", ToolCall("get_weather", {"city": "Rome"}))
    stream = await async_client.chat.completions.create(**REFUSED_THEN_CALLED)
    async for _ in stream:
        pass
    _costs_every_attempt(stream, local_gateway)


def test_a_stream_that_gives_up_costs_every_attempt(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script("no", "still no")
    stream = client.chat.completions.create(
        model=PINNED, messages=ASK, tools=[WEATHER], tool_choice="required", stream=True
    )
    with pytest.raises(og.ModelOutputError, match="You must call at least one tool now") as caught:
        for _ in stream:
            pass
    assert og.meta(caught.value).attempts == 2
    assert Decimal(str(og.meta(caught.value).cost_usd)) == _billed(local_gateway)


async def test_an_async_stream_asks_again_then_gives_up(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script("no", "still no", "never")
    stream = await async_client.chat.completions.create(
        model=MODEL, messages=ASK, tools=[WEATHER], tool_choice="required", stream=True
    )
    with pytest.raises(og.ModelOutputError, match="You must call at least one tool now") as caught:
        async for _ in stream:
            pass
    assert caught.value.attempts == 2  # the first answer and one re-ask (max_reasks=1)
    assert caught.value.raw_reply == "still no"
    assert local_gateway.model.pending == 1


async def test_async_streams_emulate_too(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    stream = await async_client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True)
    state = ChatCompletionStreamState()
    async for chunk in stream:
        state.handle_chunk(chunk)
    final = state.get_final_completion().choices[0]
    assert final.finish_reason == "tool_calls"
    assert [(c.function.name, c.function.arguments) for c in final.message.tool_calls or []] == [
        ("get_weather", '{"city":"Paris"}')
    ]


def test_a_routed_stream_is_emulated(local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        _chunks, final = _streamed(client.with_routing(cache=False), tools=[WEATHER])
    assert final.choices[0].finish_reason == "tool_calls"
    assert local_gateway.calls.last.path == "/v1/chat"


def test_with_streaming_response_reads_and_re_asks(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script("bad {", ToolCall("get_weather", {"city": "Oslo"}))
    with client.chat.completions.with_streaming_response.create(
        model=MODEL, messages=ASK, tools=[WEATHER], tool_choice="required"
    ) as response:
        completion = response.parse()
    assert (completion.choices[0].message.tool_calls or [])[0].function.arguments == '{"city":"Oslo"}'
    assert og.meta(completion).attempts == 2


async def test_async_with_streaming_response_reads_and_re_asks(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script("bad {", ToolCall("get_weather", {"city": "Oslo"}))
    async with async_client.chat.completions.with_streaming_response.create(
        model=MODEL, messages=ASK, tools=[WEATHER], tool_choice="required"
    ) as response:
        completion = await response.parse()
    assert (completion.choices[0].message.tool_calls or [])[0].function.arguments == '{"city":"Oslo"}'
    assert og.meta(completion).attempts == 2


def test_a_raw_stream_is_emulated(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    raw = client.chat.completions.with_raw_response.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True)
    finishes = [chunk.choices[0].finish_reason for chunk in raw.parse() if chunk.choices]
    assert finishes[-1] == "tool_calls"


# -- answers nested past the recursion limit -----------------------------------------------------------

TOO_DEEP = '{"a": ' * 1200 + "1" + "}" * 1200  # deeper than `json` decodes (RecursionError, not ValueError)


@pytest.mark.parametrize("stream", [False, True])
def test_an_answer_nested_too_deeply_to_decode_is_text_or_a_typed_error(
    client: og.OpenAI, local_gateway: LocalGateway, stream: bool
) -> None:
    """The decoder's RecursionError once reached the caller, streamed or not."""
    local_gateway.model.script(TOO_DEEP)
    if stream:
        _, got = _streamed(client, tools=[WEATHER])
    else:
        got = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    assert (got.choices[0].message.content, got.choices[0].finish_reason) == (TOO_DEEP, "stop")
    assert not got.choices[0].message.tool_calls
    local_gateway.model.script(TOO_DEEP, TOO_DEEP)

    def ask() -> object:
        if stream:
            return _streamed(client, response_format={"type": "json_object"})
        return client.chat.completions.create(model=MODEL, messages=ASK, response_format={"type": "json_object"})

    with pytest.raises(og.ModelOutputError, match="Your answer is not valid JSON: maximum recursion depth") as caught:
        ask()
    assert isinstance(caught.value, openai.OpenAIError)
    assert caught.value.raw_reply == TOO_DEEP
    assert caught.value.attempts == 1 if stream else 2  # a streamed JSON answer was shown as it came


async def test_an_async_stream_asks_again_for_arguments_too_deep_for_their_schema(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    tree: dict[str, Any] = {"type": "object", "properties": {"child": {"$ref": "#"}, "v": {"type": "string"}}}
    tool = {"type": "function", "function": {"name": "tree", "parameters": tree}}
    deep = '{"tool_calls": [{"name": "tree", "arguments": ' + '{"child": ' * 300 + '{"v": 1}' + "}" * 301 + "]}"
    local_gateway.model.script(deep, ToolCall("tree", {"v": "leaf"}))
    stream = await async_client.chat.completions.create(model=MODEL, messages=ASK, tools=[tool], stream=True)
    state = ChatCompletionStreamState()
    async for chunk in stream:
        state.handle_chunk(chunk)
    (call,) = state.get_final_completion().choices[0].message.tool_calls or []
    assert (call.function.name, call.function.arguments) == ("tree", '{"v":"leaf"}')
    reask = _sent(local_gateway)["messages"]
    assert reask[-2] == {"role": "assistant", "content": deep}
    assert reask[-1]["content"].startswith(
        "Your answer could not be used: tool_calls[0] (tree) has arguments that break its schema: "
        "they are nested too deeply to check."
    )


# -- lone surrogates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "quoted"),
    [
        ("I won't call it \ud83d.", "I won't call it \ufffd."),
        ("Half an emoji: \ud83d\ude00", "Half an emoji: \U0001f600"),
    ],
)
def test_a_reask_quotes_an_answer_holding_lone_surrogates(
    client: og.OpenAI, local_gateway: LocalGateway, reply: str, quoted: str
) -> None:
    """A gateway that cuts text on UTF-16 code units sends an emoji in two deltas, each a lone surrogate
    escaped in JSON. The re-ask quoting such an answer once failed to encode: UnicodeEncodeError at the caller."""
    local_gateway.model.script(reply, ToolCall("get_weather", {"city": "Rome"}))
    _, final = _streamed(client, tools=[WEATHER], tool_choice="required")
    assert [(c.function.name, c.function.arguments) for c in final.choices[0].message.tool_calls or []] == [
        ("get_weather", '{"city":"Rome"}')
    ]
    assert _sent(local_gateway)["messages"][-2] == {"role": "assistant", "content": quoted}


async def test_an_async_reask_states_a_problem_quoting_a_lone_surrogate(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    broken = r'{"tool_calls": [{"name": 3, "arguments": {"note": "\ud83d"}}]}'  # ASCII: the surrogate is escaped
    local_gateway.model.script(broken, ToolCall("get_weather", {"city": "Rome"}))
    stream = await async_client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], stream=True)
    state = ChatCompletionStreamState()
    async for chunk in stream:
        state.handle_chunk(chunk)
    assert [c.function.name for c in state.get_final_completion().choices[0].message.tool_calls or []] == [
        "get_weather"
    ]
    reask = _sent(local_gateway)["messages"]
    assert reask[-2] == {"role": "assistant", "content": broken}
    assert reask[-1]["content"].startswith(
        'Your answer could not be used: tool_calls[0] must be an object with a "name" and "arguments"; '
        'got {"name": 3, "arguments": {"note": "\ufffd"}}.'
    )


# -- a gateway whose finish chunk carries text -------------------------------------------------------------


@pytest.mark.parametrize(
    "reply",
    ["It is sunny.", 'Checking. {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}'],
)
def test_text_in_the_chunk_that_finishes_is_shown_before_it(reply: str) -> None:
    """OmniGate's finish chunk has an empty delta, but an OpenAI-compatible gateway may put the last text in
    it (the hostile server does, on loopback). Its shown text was once dropped, and the chunk yielded twice."""
    with (
        hostile_server(reply=reply, finish="stop") as (server, _),
        og.OpenAI(base_url=f"{server.url}/ok", api_key=fake_key("llmg_", "finish-0123456789abcdef")) as client,
    ):
        chunks, streamed = _streamed(client, tools=[WEATHER])
        plain = client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER])
    got, want = streamed.choices[0], plain.choices[0]
    assert (got.message.content, got.finish_reason) == (want.message.content, want.finish_reason)
    assert got.message.content == reply.partition(" {")[0]
    assert [(c.function.name, c.function.arguments) for c in got.message.tool_calls or []] == [
        (c.function.name, c.function.arguments) for c in want.message.tool_calls or []
    ]
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-2:] == [None, want.finish_reason]


def test_a_stream_without_a_finish_chunk_still_ends_in_its_tool_calls() -> None:
    """The emulation reads the calls once the gateway's stream has ended; with no finish chunk to mark,
    it ended with `finish_reason` None, where the unstreamed call says `tool_calls`."""
    reply = '{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Oslo"}}]}'
    with (
        hostile_server(reply=reply) as (server, _),
        og.OpenAI(base_url=f"{server.url}/ok", api_key=fake_key("llmg_", "finish-0123456789abcdef")) as client,
    ):
        chunks, streamed = _streamed(client, tools=[WEATHER])
    assert streamed.choices[0].finish_reason == "tool_calls"
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-2:] == [None, "tool_calls"]
    assert [(c.function.name, c.function.arguments) for c in streamed.choices[0].message.tool_calls or []] == [
        ("get_weather", '{"city":"Oslo"}')
    ]


@pytest.mark.parametrize("stream", [False, True])
def test_legacy_functions_ask_for_one_call_and_refuse_two(
    client: og.OpenAI, local_gateway: LocalGateway, stream: bool
) -> None:
    """A legacy message holds one `function_call`: the model was told "Parallel calls: yes." and the
    calls after the first were dropped without a word."""
    two = [ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_weather", {"city": "Rome"})]
    local_gateway.model.script(two, ToolCall("get_weather", {"city": "Rome"}))
    functions: Any = [WEATHER["function"]]
    if stream:
        _, got = _streamed(client, functions=functions)
    else:
        got = client.chat.completions.create(model=MODEL, messages=ASK, functions=functions)
    call = got.choices[0].message.function_call
    assert call is not None
    assert (call.name, call.arguments, got.choices[0].finish_reason) == (
        "get_weather",
        '{"city":"Rome"}',
        "function_call",
    )
    sent = _sent(local_gateway)["messages"]
    assert "Parallel calls: no. Call at most one tool per answer." in sent[0]["content"]
    assert sent[-1]["content"].startswith(
        "Your answer could not be used: Call at most one tool per answer (parallel calls: no); you called 2."
    )


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "objekt"}, "'objekt' is not valid under any of the given schemas (at type)"),
        ({"type": "object", "properties": {"a": {"type": 5}}}, "5 is not valid under any of the given schemas"),
        ({"type": "object", "properties": {"a": {"pattern": "("}}}, "'(' is not a 'regex' (at properties/a/pattern)"),
        ({"type": "object", "properties": {"a": {"$ref": "#/$defs/B"}}}, "$ref '#/$defs/B' points to nothing in it"),
    ],
)
@pytest.mark.parametrize("where", ["tools", "functions", "response_format"])
def test_a_schema_that_is_not_json_schema_is_refused_before_sending(
    client: og.OpenAI, local_gateway: LocalGateway, schema: dict[str, Any], problem: str, where: str
) -> None:
    """The validator met the broken schema only when it read the answer, after the call was billed, and
    raised its own error (`UnknownType`, `TypeError`, `re.error`) at the caller."""
    function = {"name": "f", "parameters": schema}
    request: Any = {
        "tools": {"tools": [{"type": "function", "function": function}]},
        "functions": {"functions": [function]},
        "response_format": {"response_format": {"type": "json_schema", "json_schema": {"name": "f", "schema": schema}}},
    }[where]
    field = {"tools": "tools[0]", "functions": "functions[0]", "response_format": "response_format"}[where]
    for stream in (False, True):
        with pytest.raises(og.UnsupportedFeatureError) as caught:
            client.chat.completions.create(model=MODEL, messages=ASK, stream=stream, **request)
        assert caught.value.field == field
        assert str(caught.value).startswith(f"`{field}` is not a valid JSON Schema: {problem}")
        assert isinstance(caught.value, openai.OpenAIError)
    assert local_gateway.calls.to("/v1/chat/completions") == []


def test_a_huge_broken_schema_part_is_quoted_short(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "x" * 20_000}}}
    function = {"name": "f", "parameters": schema}
    with pytest.raises(og.UnsupportedFeatureError) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK, tools=[{"type": "function", "function": function}])
    problem = str(caught.value)
    assert len(problem) < 1_000
    assert problem.startswith("`tools[0]` is not a valid JSON Schema: 'xxx")
    assert "x' is not valid under any of the given schemas (at properties/a/type)" in problem
    assert local_gateway.calls.to("/v1/chat/completions") == []


# -- allowed_tools ------------------------------------------------------------------------------------------

CLOCK = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "The time in a city.",
        "parameters": WEATHER["function"]["parameters"],
    },  # type: ignore[index]
}
ONLY_THE_CLOCK = {
    "type": "allowed_tools",
    "allowed_tools": {"mode": "required", "tools": [{"type": "function", "function": {"name": "get_time"}}]},
}


def _shown_tools(gateway: LocalGateway) -> str:
    return str(_sent(gateway)["messages"][0]["content"])


def test_allowed_tools_shows_and_accepts_only_the_allowed_ones(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """A call of an offered but not allowed tool is re-asked, like a call of a tool never offered."""
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), ToolCall("get_time", {"city": "Paris"}))
    completion = client.chat.completions.create(
        model=MODEL,
        messages=ASK,
        tools=[WEATHER, CLOCK],
        tool_choice=ONLY_THE_CLOCK,  # type: ignore[list-item,arg-type]
    )
    (call,) = completion.choices[0].message.tool_calls or []
    assert call.function.name == "get_time"  # type: ignore[union-attr]
    assert og.meta(completion).attempts == 2
    assert og.meta(completion).emulated == ("tools",)
    shown = _shown_tools(local_gateway)
    assert "## get_time" in shown
    assert "get_weather" not in shown.split("# Calling tools")[0]
    assert "Tool choice: required." in shown


async def test_allowed_tools_on_the_async_client_and_in_a_stream(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    local_gateway.model.script("It is sunny.", ToolCall("get_time", {"city": "Paris"}))
    stream = await async_client.chat.completions.create(
        model=MODEL,
        messages=ASK,
        tools=[WEATHER, CLOCK],
        tool_choice=ONLY_THE_CLOCK,
        stream=True,  # type: ignore[list-item,arg-type]
    )
    state = ChatCompletionStreamState()
    async for chunk in stream:
        state.handle_chunk(chunk)
    (call,) = state.get_final_completion().choices[0].message.tool_calls or []
    assert (call.function.name, call.function.arguments) == ("get_time", '{"city":"Paris"}')  # type: ignore[union-attr]
    assert len(local_gateway.calls.to("/v1/chat/completions")) == 2  # "required": the plain answer was re-asked


def test_allowed_tools_naming_a_tool_not_offered_is_refused_before_sending(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    with pytest.raises(
        og.UnsupportedFeatureError, match=r"allowed_tools.tools\[0\]` must name one of the offered"
    ) as caught:
        client.chat.completions.create(model=MODEL, messages=ASK, tools=[WEATHER], tool_choice=ONLY_THE_CLOCK)  # type: ignore[list-item,arg-type]
    assert caught.value.field == "tool_choice"
    assert len(local_gateway.calls) == 0


# -- a tool result must answer a call ------------------------------------------------------------------------

_CALLED = {
    "role": "assistant",
    "content": None,
    "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}],
}


@pytest.mark.parametrize(
    ("result", "says"),
    [
        ({"role": "tool", "content": "rain"}, "`messages[2].tool_call_id` is missing"),
        (
            {"role": "tool", "tool_call_id": "call_9", "content": "rain"},
            "`messages[2]` answers the tool call 'call_9', which no earlier assistant message made (calls: call_1)",
        ),
    ],
)
async def test_a_tool_result_without_its_call_is_refused_before_sending(
    client: og.OpenAI, async_client: og.AsyncOpenAI, local_gateway: LocalGateway, result: dict[str, Any], says: str
) -> None:
    """OpenAI answers 400 to these; served by prompt, the model would read a result of a nameless tool."""
    messages: Any = [*ASK, _CALLED, result]
    with pytest.raises(ValueError, match=re.escape(says)):
        client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=re.escape(says)):
        await async_client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER])  # type: ignore[list-item]
    assert len(local_gateway.calls) == 0
