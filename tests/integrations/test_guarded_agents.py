"""A guard inside the frameworks agents are built with: the budget, loop and tool rules hold there too.

A framework takes the guarded copy (`client.with_guard(...)`) like any gateway client; every call it
makes through it, sync or async, is checked and settled, and the guard's typed error reaches the
agent's caller. The frameworks' own clients are built from the guarded copy, so a twin a framework
builds (LangChain's async half) is guarded by the same guard.
"""

from __future__ import annotations

import agents
import pytest
from agents import Agent, Runner
from langchain_core.tools import tool
from langgraph.prebuilt import create_react_agent
from pydantic_ai import Agent as PydanticAgent

import omnigate_openai as og
from omnigate_openai.integrations import langchain, openai_agents, pydantic_ai
from omnigate_openai.integrations._clients import as_sync
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway, ToolCall

from .conftest import chat_calls

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # create_react_agent moved to langchain
    pytest.mark.usefixtures("agents_defaults_restored"),  # `openai_agents.install`
]


def _one_call_guard() -> og.Guard:
    return og.Guard(limits=og.Limits(max_calls=1))


def test_langchain_sync_and_async_calls_count_in_one_guard(client: og.OpenAI, gateway: LocalGateway) -> None:
    guard = _one_call_guard()
    model = langchain.chat_model(client.with_guard(guard, agent_id="lc"))
    assert model.invoke("Hello").content == DEFAULT_REPLY
    with pytest.raises(og.LimitExceededError, match="max_calls") as caught:
        model.invoke("Hello")
    assert caught.value.scope == "default|run"
    assert [record.agent_id for record in guard.history()] == ["lc", "lc"]
    assert len(chat_calls(gateway)) == 1


async def test_langchains_async_twin_is_guarded_by_the_same_guard(client: og.OpenAI, gateway: LocalGateway) -> None:
    """`chat_model(sync_client)` builds the async half itself: a twin without the guard let `ainvoke` spend freely."""
    guard = _one_call_guard()
    model = langchain.chat_model(client.with_guard(guard, agent_id="lc"))
    assert (await model.ainvoke("Hello")).content == DEFAULT_REPLY
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        model.invoke("Hello")  # the async call counted
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        await model.ainvoke("Hello")
    assert len(chat_calls(gateway)) == 1
    assert guard.metrics().calls == 1


def test_a_langgraph_agent_stuck_on_one_tool_call_is_stopped(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return "unknown"

    guard = og.Guard(loops=og.LoopDetection(same_tool_call=3))
    agent = create_react_agent(langchain.chat_model(client.with_guard(guard, agent_id="graph")), tools=[get_weather])
    gateway.model.script(*[ToolCall("get_weather", {"city": "Paris"})] * 10)
    with pytest.raises(og.LoopDetectedError, match="called the same tool with the same arguments 3 times") as caught:
        agent.invoke({"messages": [("user", "Weather in Paris?")]})
    assert (caught.value.kind, caught.value.agent_id) == ("same_tool_call", "graph")
    assert ran == ["Paris"] * 3
    assert len(chat_calls(gateway)) == 3  # the fourth call was refused before it was sent
    history = guard.history(agent_id="graph")
    assert [record.tool_calls for record in history[:3]] == [("get_weather",)] * 3
    assert history[-1].error is not None
    assert "Loop detected" in history[-1].error


async def test_an_openai_agents_run_is_stopped_by_its_budget(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    calls: list[str] = []

    @agents.function_tool
    def search(query: str) -> str:
        """Search the web."""
        calls.append(query)
        return "nothing found"

    guard = og.Guard(per_agent=og.Limits(max_tool_calls=2))
    openai_agents.install(async_client.with_guard(guard, agent_id="researcher"))
    gateway.model.script(*[ToolCall("search", {"query": f"try {n}"}) for n in range(10)])
    with pytest.raises(og.LimitExceededError, match="max_tool_calls") as caught:
        await Runner.run(Agent(name="researcher", model="gpt-4o-mini", tools=[search]), "Find it.")
    assert caught.value.scope == "default|agent|researcher"
    assert calls == ["try 0", "try 1"]
    assert guard.metrics(agent_id="researcher").tool_calls == 2
    assert len(chat_calls(gateway)) == 2


async def test_a_pydantic_ai_agent_is_refused_a_tool_it_may_not_call(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    guard = og.Guard(tool_access=og.ToolAccess(deny=["delete_*"]))
    agent = PydanticAgent(pydantic_ai.chat_model(async_client.with_guard(guard, agent_id="janitor")))

    @agent.tool_plain
    def delete_everything() -> str:
        """Delete every file."""
        raise AssertionError("never run")

    with pytest.raises(og.ToolAccessDeniedError, match="delete_everything") as caught:
        await agent.run("Clean up.")
    assert caught.value.where == "offered"
    assert chat_calls(gateway) == []


def test_the_sync_twin_of_a_guarded_async_client_counts_in_its_guard(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    guard = _one_call_guard()
    twin = as_sync(async_client.with_guard(guard, agent_id="twin"))
    twin.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        twin.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
    assert [record.agent_id for record in guard.history()] == ["twin", "twin"]
    assert len(chat_calls(gateway)) == 1
