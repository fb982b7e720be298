"""LangGraph's `create_react_agent` over `integrations.langchain.chat_model`, live against the local gateway."""

from __future__ import annotations

import json
from typing import Annotated, TypedDict

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AnyMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, create_react_agent, tools_condition

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.integrations.langchain import chat_model
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_MODEL, chat_calls, flow_chat_calls

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


def test_a_named_agent_runs_two_turns_its_name_telling_no_one_apart(client: og.OpenAI, gateway: LocalGateway) -> None:
    """`create_agent(..., name=)` names each of its AIMessages, which langchain-openai sends as `name`: one
    speaker of the assistant role, so the name is left out and the text sent as it is."""

    @tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    agent = create_agent(chat_model(client), tools=[get_weather], name="weather_agent", checkpointer=InMemorySaver())
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.", "You asked about Paris.")
    thread = {"configurable": {"thread_id": "1"}}
    first = agent.invoke({"messages": [("user", "What is the weather in Paris?")]}, thread)
    assert [m.name for m in first["messages"] if m.type == "ai"] == ["weather_agent", "weather_agent"]
    again = agent.invoke({"messages": [("user", "Which city did I ask about?")]}, thread)
    assert again["messages"][-1].content == "You asked about Paris."
    sent = chat_calls(gateway)[-1].json["messages"]
    assert all("name" not in message for message in sent)
    called, answered = [message["content"] for message in sent if message["role"] == "assistant"]
    assert json.loads(called)["tool_calls"][0]["name"] == "get_weather"  # the emulated call, not opened by a name
    assert answered == "It is sunny in Paris."


async def test_two_named_agents_sharing_a_history_are_told_apart(client: og.OpenAI, gateway: LocalGateway) -> None:
    """A supervisor-style team (langgraph-supervisor is not installed here): two `create_agent` graphs as the
    nodes of one graph, sharing its messages, each agent's AIMessages named by it. Two turns."""
    researcher = create_agent(chat_model(client), system_prompt="Find the facts.", name="researcher")
    writer = create_agent(chat_model(client), system_prompt="Write them up.", name="writer")
    builder = StateGraph(MessagesState)
    builder.add_node("researcher", researcher)
    builder.add_node("writer", writer)
    builder.add_edge(START, "researcher")
    builder.add_edge("researcher", "writer")
    team = builder.compile(checkpointer=InMemorySaver())
    gateway.model.script("100 C at sea level.", "Water boils at 100 C.", "100 C.", "Boils at 100 C.")
    thread = {"configurable": {"thread_id": "1"}}
    await team.ainvoke({"messages": [("user", "When does water boil?")]}, thread)
    result = await team.ainvoke({"messages": [("user", "Shorter.")]}, thread)
    assert [(m.name, m.content) for m in result["messages"] if m.type == "ai"][-1] == ("writer", "Boils at 100 C.")
    writers_first, writers_second = chat_calls(gateway)[1].json["messages"], chat_calls(gateway)[-1].json["messages"]
    # Its first call holds one assistant speaker, the researcher: nothing to tell apart, nothing said.
    assert writers_first[1:] == [
        {"role": "user", "content": "When does water boil?"},
        {"role": "assistant", "content": "100 C at sea level."},
    ]
    assert writers_second == [
        {"role": "system", "content": "Write them up."},
        {"role": "user", "content": "When does water boil?"},
        {"role": "assistant", "content": "researcher said:\n100 C at sea level."},
        {"role": "assistant", "content": "writer said:\nWater boils at 100 C."},
        {"role": "user", "content": "Shorter."},
        {"role": "assistant", "content": "researcher said:\n100 C."},
    ]


# --- the Flow gateway: tools native ---------------------------------------------------------------------


@tool
def flow_weather(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


async def test_the_prebuilt_agent_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    agent = create_react_agent(chat_model(flow_client, model=FLOW_MODEL), tools=[flow_weather])
    result = await agent.ainvoke({"messages": [{"role": "user", "content": "Weather in Paris?"}]})
    assert [message.type for message in result["messages"]] == ["human", "ai", "tool", "ai"]
    assert result["messages"][1].tool_calls[0]["args"] == {"city": "example"}
    assert result["messages"][-1].content == "The tool said: 21 C and sunny in example"
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert first["tools"][0]["function"]["name"] == "flow_weather"
    assert second["messages"][-1]["content"] == "21 C and sunny in example"


def test_a_graph_with_a_tool_node_and_memory_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    model = chat_model(flow_client, model=FLOW_MODEL).bind_tools([flow_weather])
    graph = StateGraph(MessagesState)
    graph.add_node("model", lambda state: {"messages": [model.invoke(state["messages"])]})
    graph.add_node("tools", ToolNode([flow_weather]))
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", tools_condition)
    graph.add_edge("tools", "model")
    app = graph.compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "flow"}}
    first = app.invoke({"messages": [{"role": "user", "content": "Weather in Paris?"}]}, thread)
    assert first["messages"][-1].content == "The tool said: 21 C and sunny in example"
    second = app.invoke({"messages": [{"role": "user", "content": "And now?"}]}, thread)
    assert len(second["messages"]) == 4 + 4  # the first turn, remembered, and the second
    assert [m["role"] for m in flow_chat_calls(flow_gateway)[-1].json["messages"]] == [
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
        "assistant",
        "tool",
    ]
