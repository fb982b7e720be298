"""LangGraph's `create_react_agent` over `integrations.langchain.chat_model`, live against the local gateway."""

from __future__ import annotations

from typing import Annotated, TypedDict

import pytest
from langchain_core.messages import AnyMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, create_react_agent, tools_condition

import omnigate_openai as og
from omnigate_openai.integrations.langchain import chat_model
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway, ToolCall

from .conftest import chat_calls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # create_react_agent moved to langchain


def test_agent_without_tools_answers(client: og.OpenAI, gateway: LocalGateway) -> None:
    agent = create_react_agent(chat_model(client), tools=[])
    result = agent.invoke({"messages": [("user", "Hello")]})
    assert result["messages"][-1].content == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert call.json["messages"] == [{"role": "user", "content": "Hello"}]


async def test_agent_streams_async(client: og.OpenAI, gateway: LocalGateway) -> None:
    agent = create_react_agent(chat_model(client), tools=[], prompt="Be brief.")
    updates = [update async for update in agent.astream({"messages": [("user", "Hello")]}, stream_mode="updates")]
    assert updates[-1]["agent"]["messages"][-1].content == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["messages"][0] == {"role": "system", "content": "Be brief."}


def test_react_agent_runs_the_tool_and_answers_with_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    agent = create_react_agent(chat_model(client), tools=[get_weather])
    result = agent.invoke({"messages": [("user", "What is the weather in Paris?")]})
    assert ran == ["Paris"]
    assert result["messages"][-1].content == "Tool results: get_weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json  # described in the prompt instead: the gateway drops `tools`
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


async def test_react_agent_async_with_two_tools(client: og.OpenAI, gateway: LocalGateway) -> None:
    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    @tool
    def double(x: int) -> int:
        """Double a number."""
        return 2 * x

    gateway.model.script(ToolCall("add", {"a": 2, "b": 3}), ToolCall("double", {"x": 5}))
    agent = create_react_agent(chat_model(client), tools=[add, double])
    result = await agent.ainvoke({"messages": [("user", "(2 + 3) * 2?")]})
    assert result["messages"][-1].content == "Tool results: add: 5; double: 10"
    assert [m.name for m in result["messages"] if m.type == "tool"] == ["add", "double"]


def test_a_graph_of_a_chatbot_and_a_tool_node(client: og.OpenAI, gateway: LocalGateway) -> None:
    """LangGraph's own quickstart: a `StateGraph` with a chatbot node, a `ToolNode` and `tools_condition`."""

    class State(TypedDict):
        messages: Annotated[list[AnyMessage], add_messages]

    @tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    model = chat_model(client).bind_tools([get_weather])
    builder = StateGraph(State)
    builder.add_node("chatbot", lambda state: {"messages": [model.invoke(state["messages"])]})
    builder.add_node("tools", ToolNode([get_weather]))
    builder.add_edge(START, "chatbot")
    builder.add_conditional_edges("chatbot", tools_condition)
    builder.add_edge("tools", "chatbot")
    graph = builder.compile(checkpointer=InMemorySaver())
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.", "You asked about Paris.")
    thread = {"configurable": {"thread_id": "1"}}
    result = graph.invoke({"messages": [("user", "What is the weather in Paris?")]}, thread)
    assert result["messages"][-1].content == "It is sunny in Paris."
    again = graph.invoke({"messages": [("user", "Which city did I ask about?")]}, thread)  # the checkpointer's memory
    assert again["messages"][-1].content == "You asked about Paris."
    assert "It is sunny in Paris." in str(chat_calls(gateway)[-1].json["messages"])
