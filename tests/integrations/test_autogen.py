"""AutoGen's `AssistantAgent` over `integrations.autogen.chat_client`, live against the local gateway."""

from __future__ import annotations

import openai
import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_core.models import UserMessage
from autogen_ext.models.openai import OpenAIChatCompletionClient

import omnigate_openai as og
from omnigate_openai.integrations.autogen import chat_client
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from .conftest import HostGuard, chat_calls


async def test_create_reports_usage(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    result = await chat_client(async_client).create([UserMessage(content="Hello", source="user")])
    assert result.content == DEFAULT_REPLY
    assert result.usage.completion_tokens > 0
    assert chat_calls(gateway)[0].json["model"] == "gpt-4o-mini"


async def test_assistant_agent_answers_and_streams(client: og.OpenAI, gateway: LocalGateway) -> None:
    agent = AssistantAgent("assistant", model_client=chat_client(client, temperature=0.2), model_client_stream=True)
    result = await agent.run(task="Hello")
    assert result.messages[-1].content == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert (call.json["stream"], call.json["temperature"]) == (True, 0.2)


async def test_the_guard_catches_the_trap_the_helper_avoids(gateway: LocalGateway, host_guard: HostGuard) -> None:
    """`OpenAIChatCompletionClient(model=...)` as documented builds its own client for api.openai.com."""
    bare = OpenAIChatCompletionClient(model="gpt-4o-mini", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        await bare.create([UserMessage(content="Hello", source="user")])
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    with pytest.raises(TypeError, match=r"got a plain openai\.AsyncOpenAI: its calls would not carry the gateway key"):
        chat_client(openai.AsyncOpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]
