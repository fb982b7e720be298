"""LangGraph's `create_react_agent` over `integrations.langchain.chat_model`, live against the local gateway."""

from __future__ import annotations

import pytest
from langgraph.prebuilt import create_react_agent

import omnigate_openai as og
from omnigate_openai.integrations.langchain import chat_model
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

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
