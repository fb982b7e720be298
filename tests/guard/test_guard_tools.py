"""Guards on tool calls, with the local gateway's drivable model: offered and called tools, the tool loop,
repeated tool calls, the tool-call limit, and the re-asks of tool emulation (each one a guarded call)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import CUSTOM_CALL, hostile_server
from omnigate_openai import flow
from omnigate_openai.testing import LocalGateway, ToolCall

from ._drive import MODES

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather of a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
DELETE = {"type": "function", "function": {"name": "delete_file", "parameters": {"type": "object", "properties": {}}}}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]
NO_ANSWER_LOOPS = og.LoopDetection(same_answer=None, ping_pong=None)


def weather(name: str, arguments: dict[str, Any]) -> str:
    assert name == "get_weather"
    return f"sunny in {arguments['city']}"


async def async_weather(name: str, arguments: dict[str, Any]) -> str:
    await asyncio.sleep(0)
    return weather(name, arguments)


def run_tool_loop(mode: str, gateway: LocalGateway, guard: og.Guard, **options: Any) -> Any:
    """`call_with_tools` through a guarded sync client, or `acall_with_tools` through an async one."""
    settings = {"base_url": gateway.base_url, "api_key": gateway.api_key, "max_retries": 0}
    request = {"messages": ASK, "tools": [WEATHER], "model": "gpt-4o-mini", **options}
    if mode == "sync":
        with og.OpenAI(**settings) as client:
            return og.call_with_tools(client.with_guard(guard, agent_id="agent"), tool_executor=weather, **request)

    async def run() -> Any:
        async with og.AsyncOpenAI(**settings) as client:
            agent = client.with_guard(guard, agent_id="agent")
            return await og.acall_with_tools(agent, tool_executor=async_weather, **request)

    return asyncio.run(run())


@pytest.mark.parametrize("mode", MODES)
def test_the_tool_loop_runs_the_tools_under_the_guard(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=NO_ANSWER_LOOPS)
    final = run_tool_loop(mode, local_gateway, guard)
    assert final.choices[0].message.content == "It is sunny in Paris."
    first, second = guard.history()
    assert first.tool_calls == ("get_weather",)
    assert second.tool_calls == ()
    assert guard.metrics().tool_calls == 1
    billed = sum((row.cost for row in local_gateway.state.usage), Decimal(0))
    assert Decimal(str(guard.metrics().cost_usd)) == billed


SHELL = {"type": "custom", "custom": {"name": "shell", "description": "Runs a shell command."}}
"""A custom tool: the model writes its input as free text, not JSON arguments (openai >= 1.99)."""


def run_custom_tool_loop(mode: str, base_url: str, guard: og.Guard, executor: Any, **options: Any) -> Any:
    """The tool loop through Flow (LiteLLM passes tools on, so a custom tool can be offered), sync or async."""
    settings = {"base_url": base_url, "auth_token": "t", "max_retries": 0}
    request = {"messages": ASK, "tools": [SHELL], "model": "openai/gpt-4o-mini", **options}
    if mode == "sync":
        with flow.OpenAI(**settings) as client:
            return og.call_with_tools(client.with_guard(guard, agent_id="agent"), tool_executor=executor, **request)

    async def run() -> Any:
        async with flow.AsyncOpenAI(**settings) as client:
            return await og.acall_with_tools(
                client.with_guard(guard, agent_id="agent"), tool_executor=executor, **request
            )

    return asyncio.run(run())


@pytest.mark.parametrize("mode", MODES)
def test_the_tool_loop_runs_a_custom_tool_call_with_its_input(mode: str) -> None:
    """A custom tool call (`.custom`, no `.function`) raised AttributeError; it runs through the executor with
    its input text, and the guard counts, records and checks it as any tool call."""
    ran: list[tuple[str, object]] = []

    def shell(name: str, arguments: object) -> str:
        ran.append((name, arguments))
        return "a.txt b.txt"

    guard = og.Guard(limits=og.Limits(max_tool_calls=5), loops=NO_ANSWER_LOOPS)
    with hostile_server() as (server, _):
        final = run_custom_tool_loop(mode, f"{server.url}/custom_tool_call_200", guard, shell)
    assert ran == [("shell", "ls -la /tmp")]
    assert final.choices[0].message.content == "the tool said: a.txt b.txt"
    *_, called, result = json.loads(server.requests[-1].body)["messages"]
    assert called == {"role": "assistant", "tool_calls": [CUSTOM_CALL]}
    assert result == {"role": "tool", "tool_call_id": "call_custom_1", "content": "a.txt b.txt"}
    first, second = guard.history()
    assert (first.tool_calls, second.tool_calls) == (("shell",), ())
    assert guard.metrics().tool_calls == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("where", ["offered", "called"])
def test_a_denied_custom_tool_is_refused_where_it_is_offered_or_called(mode: str, where: str) -> None:
    guard = og.Guard(tool_access=og.ToolAccess(deny=["shell"]), loops=NO_ANSWER_LOOPS)
    tools = [SHELL] if where == "offered" else [WEATHER]  # the model calls `shell` all the same
    with (
        hostile_server() as (server, _),
        pytest.raises(og.ToolAccessDeniedError, match=f"'shell' was {where}") as caught,
    ):
        run_custom_tool_loop(mode, f"{server.url}/custom_tool_call_200", guard, weather, tools=tools)
    assert (caught.value.where, caught.value.tool) == (where, "shell")
    chats = [seen for seen in server.requests if seen.path.endswith("/chat/completions")]
    assert len(chats) == (0 if where == "offered" else 1)


def stream_custom_call(mode: str, base_url: str, guard: og.Guard, command: str = "ls -la /tmp", **options: Any) -> str:
    """One guarded, streamed call through Flow, answered by a streamed call of the custom tool `shell` with
    `command` as its input, read to its end by the sync or the async client: the input as the chunks carried it."""
    settings = {"base_url": base_url, "auth_token": "t", "max_retries": 0}
    request = {"messages": [{"role": "user", "content": command}], "model": "openai/gpt-4o-mini", "stream": True}
    request |= {"tools": [SHELL], **options}
    if mode == "sync":
        with flow.OpenAI(**settings) as client:
            chunks = list(client.with_guard(guard, agent_id="agent").chat.completions.create(**request))
    else:

        async def run() -> list[Any]:
            async with flow.AsyncOpenAI(**settings) as client:
                stream = await client.with_guard(guard, agent_id="agent").chat.completions.create(**request)
                return [chunk async for chunk in stream]

        chunks = asyncio.run(run())
    calls = [call for chunk in chunks if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()]
    assert all(call.function is None for call in calls)  # openai's chunk types have no `custom`: an extra field
    return "".join(call.custom["input"] for call in calls)


def chats(server: Any) -> int:
    return len([seen for seen in server.requests if seen.path.endswith("/chat/completions")])


@pytest.mark.parametrize("mode", MODES)
def test_a_streamed_custom_tool_call_is_recorded_and_counted(mode: str) -> None:
    """The guard read only `function` in a stream's tool-call deltas: a streamed custom call was counted as a
    call of a tool named "" (recorded so, and never checked by name)."""
    guard = og.Guard(limits=og.Limits(max_tool_calls=1), loops=NO_ANSWER_LOOPS)
    with hostile_server() as (server, _):
        url = f"{server.url}/custom_tool_call_200"
        assert stream_custom_call(mode, url, guard) == "ls -la /tmp"
        with pytest.raises(og.LimitExceededError, match="max_tool_calls") as caught:
            stream_custom_call(mode, url, guard, command="ls /var")
    assert (caught.value.limit, caught.value.current, caught.value.maximum) == ("max_tool_calls", 1.0, 1.0)
    assert chats(server) == 1
    answered, refused = guard.history()
    assert (answered.stream, answered.tool_calls, answered.error) == (True, ("shell",), None)
    assert refused.tool_calls == ()
    assert guard.metrics().tool_calls == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_denied_custom_tool_called_in_a_stream_raises_at_its_end(mode: str) -> None:
    guard = og.Guard(tool_access=og.ToolAccess(deny=["shell"]), loops=NO_ANSWER_LOOPS)
    with (
        hostile_server() as (server, _),
        pytest.raises(og.ToolAccessDeniedError, match="'shell' was called") as caught,
    ):
        stream_custom_call(mode, f"{server.url}/custom_tool_call_200", guard, tools=[WEATHER])  # `shell` not offered
    assert (caught.value.where, caught.value.tool, caught.value.agent_id) == ("called", "shell", "agent")
    assert guard.history()[-1].tool_calls == ("shell",)


@pytest.mark.parametrize("mode", MODES)
def test_a_streamed_custom_tool_call_repeated_with_the_same_input_is_a_loop(mode: str) -> None:
    """Calls with another input are not repetitions (all streamed custom calls looked alike: name and input "")."""
    guard = og.Guard(loops=og.LoopDetection(same_tool_call=2, same_answer=None, same_request=None))
    with hostile_server() as (server, _):
        url = f"{server.url}/custom_tool_call_200"
        for command in ("ls /tmp", "ls /var", "ls /tmp"):
            stream_custom_call(mode, url, guard, command=command)
        repeated = "called the same tool with the same arguments 2 times"
        with pytest.raises(og.LoopDetectedError, match=repeated) as caught:
            stream_custom_call(mode, url, guard, command="ls /etc")
    assert caught.value.kind == "same_tool_call"
    assert chats(server) == 3


@pytest.mark.parametrize("mode", MODES)
def test_the_tool_loop_stops_at_max_iterations(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(*[ToolCall("get_weather", {"city": f"City {n}"}) for n in range(3)])
    guard = og.Guard(loops=NO_ANSWER_LOOPS)
    with pytest.raises(og.LimitExceededError, match="max_iterations") as caught:
        run_tool_loop(mode, local_gateway, guard, max_iterations=2)
    assert (caught.value.limit, caught.value.scope) == ("max_iterations", "tool loop")
    local_gateway.model.reset()


@pytest.mark.parametrize("mode", MODES)
def test_the_same_tool_call_repeated_is_a_loop(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(*[ToolCall("get_weather", {"city": "Paris"}) for _ in range(4)])
    guard = og.Guard(loops=og.LoopDetection(same_tool_call=2, same_answer=None))
    with pytest.raises(og.LoopDetectedError, match="called the same tool with the same arguments 2 times") as caught:
        run_tool_loop(mode, local_gateway, guard)
    assert caught.value.kind == "same_tool_call"
    assert len(local_gateway.state.usage) == 2
    local_gateway.model.reset()


@pytest.mark.parametrize("mode", MODES)
def test_the_tool_call_limit_refuses_the_next_ask(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "done")
    guard = og.Guard(limits=og.Limits(max_tool_calls=1), loops=NO_ANSWER_LOOPS)
    with pytest.raises(og.LimitExceededError) as caught:
        run_tool_loop(mode, local_gateway, guard)
    assert (caught.value.limit, caught.value.current, caught.value.maximum) == ("max_tool_calls", 1.0, 1.0)
    assert len(local_gateway.state.usage) == 1
    local_gateway.model.reset()


@pytest.mark.parametrize("mode", MODES)
def test_a_denied_tool_offered_by_emulation_is_refused(mode: str, local_gateway: LocalGateway) -> None:
    guard = og.Guard(tool_access=og.ToolAccess(deny=["delete_*"]), loops=NO_ANSWER_LOOPS)
    with pytest.raises(og.ToolAccessDeniedError, match="'delete_file' was offered") as caught:
        run_tool_loop(mode, local_gateway, guard, tools=[WEATHER, DELETE])
    assert caught.value.where == "offered"
    assert local_gateway.calls.to("/v1/chat/completions") == []


class Revoked(Mapping[str, og.ToolAccess]):
    """A per-agent policy revoked while a call is in flight: allows at the first look, denies from the second."""

    def __init__(self) -> None:
        self.looks = 0

    def __getitem__(self, agent_id: str) -> og.ToolAccess:
        self.looks += 1
        return og.ToolAccess() if self.looks == 1 else og.ToolAccess(deny=["get_weather"])

    def __iter__(self) -> Iterator[str]:
        return iter(["agent"])

    def __len__(self) -> int:
        return 1


def test_a_denied_tool_called_in_an_answer_raises_with_the_paid_answer(local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    guard = og.Guard(tool_access=Revoked(), loops=NO_ANSWER_LOOPS)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        agent = client.with_guard(guard, agent_id="agent")
        with pytest.raises(og.ToolAccessDeniedError, match="'get_weather' was called") as caught:
            agent.chat.completions.create(model="gpt-4o-mini", messages=ASK, tools=[WEATHER])  # type: ignore[arg-type,list-item]
    assert caught.value.where == "called"
    assert caught.value.completion is not None
    assert guard.history()[-1].cost_source == "gateway"
    assert guard.metrics().tool_calls == 1


def test_each_re_ask_of_tool_emulation_is_guarded(local_gateway: LocalGateway) -> None:
    local_gateway.model.script(
        '{"tool_calls": [{"name": "get_weather", "arguments": {}}]}', ToolCall("get_weather", {"city": "Oslo"})
    )
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=NO_ANSWER_LOOPS)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        agent = client.with_guard(guard)
        completion = agent.chat.completions.create(model="gpt-4o-mini", messages=ASK, tools=[WEATHER])  # type: ignore[arg-type,list-item]
    rejected, accepted = guard.history()
    assert rejected.error is not None
    assert rejected.error.startswith("RejectedReply")
    assert rejected.cost_source == accepted.cost_source == "gateway"
    billed = sum((row.cost for row in local_gateway.state.usage), Decimal(0))
    assert Decimal(str(guard.metrics().cost_usd)) == billed == Decimal(str(og.meta(completion).cost_usd))
    assert guard.metrics().calls == 2


def _stream_emulated(mode: str, gateway: LocalGateway, guard: og.Guard, model: str = "gpt-4o-mini") -> list[Any]:
    """A guarded, streamed call whose tools are emulated, read to its end by the sync or the async client."""
    return _stream_from(gateway.base_url, gateway.api_key, mode, guard, model)


def _stream_from(base_url: str, api_key: str, mode: str, guard: og.Guard, model: str = "gpt-4o-mini") -> list[Any]:
    settings = {"base_url": base_url, "api_key": api_key, "max_retries": 0}
    request: Any = {"model": model, "messages": ASK, "tools": [WEATHER], "stream": True}
    if mode == "sync":
        with og.OpenAI(**settings) as client:
            return list(client.with_guard(guard, agent_id="agent").chat.completions.create(**request))

    async def run() -> list[Any]:
        async with og.AsyncOpenAI(**settings) as client:
            stream = await client.with_guard(guard, agent_id="agent").chat.completions.create(**request)
            return [chunk async for chunk in stream]

    return asyncio.run(run())


@pytest.mark.parametrize("mode", MODES)
def test_an_emulated_stream_records_the_tool_calls_not_the_envelope(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    guard = og.Guard(limits=og.Limits(max_tool_calls=5), loops=NO_ANSWER_LOOPS)
    chunks = _stream_emulated(mode, local_gateway, guard)
    deltas = [call for chunk in chunks if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()]
    assert [call.function.name for call in deltas if call.function.name] == ["get_weather"]
    record = guard.history()[-1]
    assert (record.stream, record.tool_calls, record.error) == (True, ("get_weather",), None)
    assert guard.metrics().tool_calls == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_denied_tool_called_in_an_emulated_stream_raises_at_its_end(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    guard = og.Guard(tool_access=Revoked(), loops=NO_ANSWER_LOOPS)
    with pytest.raises(og.ToolAccessDeniedError, match="'get_weather' was called") as caught:
        _stream_emulated(mode, local_gateway, guard)
    assert (caught.value.where, caught.value.agent_id) == ("called", "agent")
    assert guard.history()[-1].tool_calls == ("get_weather",)
    assert guard.metrics().reserved_usd == 0


HOSTILE_KEY = fake_key("llmg_", "hostile-0123456789")
"""The raw loopback server's streams have no finish chunk: the emulation reads tool calls after their end."""
PARIS_ENVELOPE = '{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}'
"""The model's answer calling `get_weather`, in the words of the README's prompt contract."""


@pytest.mark.parametrize("mode", MODES)
def test_tool_calls_read_after_a_stream_without_finish_chunk_are_recorded(mode: str) -> None:
    """The emulation reads the envelope's tool calls only once the gateway's stream has ended: the guard
    settles the call after them, not before (they were neither recorded nor counted)."""
    guard = og.Guard(limits=og.Limits(max_tool_calls=5), loops=NO_ANSWER_LOOPS)
    with hostile_server(reply=PARIS_ENVELOPE) as (server, _):
        chunks = _stream_from(f"{server.url}/ok", HOSTILE_KEY, mode, guard)
    deltas = [call for chunk in chunks if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()]
    assert [call.function.name for call in deltas if call.function.name] == ["get_weather"]
    (record,) = guard.history()
    assert (record.stream, record.tool_calls, record.error) == (True, ("get_weather",), None)
    assert guard.metrics().tool_calls == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_denied_tool_called_in_a_stream_without_finish_chunk_raises(mode: str) -> None:
    guard = og.Guard(tool_access=Revoked(), loops=NO_ANSWER_LOOPS)
    with (
        hostile_server(reply=PARIS_ENVELOPE) as (server, _),
        pytest.raises(og.ToolAccessDeniedError, match="'get_weather' was called") as caught,
    ):
        _stream_from(f"{server.url}/ok", HOSTILE_KEY, mode, guard)
    assert (caught.value.where, caught.value.agent_id) == ("called", "agent")
    assert guard.history()[-1].tool_calls == ("get_weather",)


PINNED = "gpt-4o-mini-2024-07-18"
"""A snapshot: its streams are priced (an alias's are charged their reservation)."""


@pytest.mark.parametrize("mode", MODES)
def test_each_re_ask_of_an_emulated_stream_is_settled_at_the_gateways_cost(
    mode: str, local_gateway: LocalGateway
) -> None:
    """The rejected answer is read to its end (its usage prices it), not broken off and charged its worst case."""
    local_gateway.model.script(
        '{"tool_calls": [{"name": "get_weather", "arguments": {}}]}', ToolCall("get_weather", {"city": "Oslo"})
    )
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=NO_ANSWER_LOOPS)
    _stream_emulated(mode, local_gateway, guard, model=PINNED)
    rejected, accepted = guard.history()
    assert rejected.error is not None
    assert rejected.error.startswith("RejectedReply: tool_calls[0] (get_weather) has arguments that break its schema")
    assert (accepted.error, accepted.tool_calls) == (None, ("get_weather",))
    assert rejected.cost_source == accepted.cost_source == "gateway"
    billed = [row.cost for row in local_gateway.state.usage]
    assert [Decimal(str(rejected.cost_usd)), Decimal(str(accepted.cost_usd))] == billed
    assert guard.metrics().reserved_usd == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_broken_streamed_answer_already_shown_is_settled_at_its_cost(mode: str, local_gateway: LocalGateway) -> None:
    local_gateway.model.script('Launching. {"tool_calls": [{"name": "launch", "arguments": {}}]}')
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=NO_ANSWER_LOOPS)
    with pytest.raises(og.ModelOutputError, match="unknown tool 'launch'"):
        _stream_emulated(mode, local_gateway, guard, model=PINNED)
    (record,) = guard.history()
    assert record.error is not None
    assert record.error.startswith("ModelOutputError: The model's streamed answer broke the emulation contract")
    assert record.cost_source == "gateway"
    assert Decimal(str(guard.metrics().cost_usd)) == local_gateway.state.usage[-1].cost
    assert guard.metrics().reserved_usd == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_rejected_answer_read_after_a_stream_without_finish_chunk_is_settled(mode: str) -> None:
    guard = og.Guard(limits=og.Limits(max_calls=5), loops=NO_ANSWER_LOOPS)
    with hostile_server(reply='{"tool_calls": [{"name": "launch", "arguments": {}}]}') as (server, _):
        with pytest.raises(og.ModelOutputError, match="unknown tool 'launch'"):
            _stream_from(f"{server.url}/ok", HOSTILE_KEY, mode, guard)
        asked = len([seen for seen in server.requests if seen.path.endswith("/chat/completions")])
    records = guard.history()
    assert len(records) == asked == 2  # the answer and its one re-ask (max_reasks=1), each settled
    unknown = "RejectedReply: tool_calls[0] calls an unknown tool 'launch'"
    assert all((record.error or "").startswith(unknown) for record in records)
    assert guard.metrics().calls == 2
