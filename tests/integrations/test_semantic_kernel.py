"""Semantic Kernel's `OpenAIChatCompletion`, wired by `integrations.semantic_kernel.chat_service`, live."""

from __future__ import annotations

from typing import Annotated

import openai
import pytest
from pydantic import BaseModel
from semantic_kernel import Kernel
from semantic_kernel.agents import ChatCompletionAgent
from semantic_kernel.connectors.ai import FunctionChoiceBehavior
from semantic_kernel.connectors.ai.open_ai import OpenAIChatCompletion, OpenAIChatPromptExecutionSettings
from semantic_kernel.contents import ChatHistory
from semantic_kernel.functions import KernelArguments, kernel_function

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.semantic_kernel import chat_service
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, chat_calls, flow_chat_calls


def history() -> ChatHistory:
    chat = ChatHistory(system_message="Be brief.")
    chat.add_user_message("Hello")
    return chat


async def test_chat_message_content(client: og.OpenAI, gateway: LocalGateway) -> None:
    service = chat_service(client)
    settings = OpenAIChatPromptExecutionSettings(temperature=0.2)
    reply = await service.get_chat_message_content(history(), settings)
    assert reply is not None
    assert reply.content == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert (call.json["model"], call.json["temperature"]) == ("gpt-4o-mini", 0.2)
    assert call.json["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_kernel_prompt_and_stream(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    kernel = Kernel()
    kernel.add_service(chat_service(async_client))
    result = await kernel.invoke_prompt("Say hello to {{$name}}", name="Ada")
    assert str(result) == DEFAULT_REPLY
    service = kernel.get_service(type=OpenAIChatCompletion)
    pieces = [
        str(chunk[0])
        async for chunk in service.get_streaming_chat_message_contents(history(), OpenAIChatPromptExecutionSettings())
    ]
    assert "".join(pieces) == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["messages"][-1]["content"] == "Say hello to Ada"
    assert chat_calls(gateway)[1].json["stream"] is True


def test_exported_settings_carry_the_placeholder_not_the_key(client: og.OpenAI, gateway: LocalGateway) -> None:
    exported = chat_service(client).to_dict()
    assert exported["api_key"] == "omnigate-key-not-exposed"
    assert gateway.api_key not in repr(exported)


async def test_the_guard_catches_the_trap_the_helper_avoids(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """`OpenAIChatCompletion(ai_model_id=...)` as documented calls api.openai.com with `OPENAI_API_KEY`."""
    bare = OpenAIChatCompletion(ai_model_id="gpt-4o-mini")
    bare.client = bare.client.with_options(max_retries=0)
    with pytest.raises(Exception) as caught:  # noqa: PT011 (Semantic Kernel wraps it in its own error)
        await bare.get_chat_message_content(history(), OpenAIChatPromptExecutionSettings())
    assert isinstance(caught.value.__cause__, openai.APIConnectionError)
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


class Weather:
    def __init__(self) -> None:
        self.ran: list[str] = []

    @kernel_function(description="The weather of a city.")
    def get_weather(self, city: Annotated[str, "The city"]) -> str:
        self.ran.append(city)
        return f"21 C and sunny in {city}"


async def test_auto_function_calling_runs_the_function_and_answers_with_its_result(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    kernel = Kernel()
    kernel.add_service(chat_service(client))
    weather = Weather()
    kernel.add_plugin(weather, plugin_name="weather")
    gateway.model.script(ToolCall("weather-get_weather", {"city": "Paris"}))
    settings = OpenAIChatPromptExecutionSettings(function_choice_behavior=FunctionChoiceBehavior.Auto())
    result = await kernel.invoke_prompt("What is the weather in Paris?", arguments=KernelArguments(settings=settings))
    assert weather.ran == ["Paris"]
    assert str(result) == "Tool results: weather-get_weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


class City(BaseModel):
    city: str
    country: str


async def test_structured_output(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"city": "Paris", "country": "France"})
    settings = OpenAIChatPromptExecutionSettings(response_format=City)
    reply = await chat_service(client).get_chat_message_content(history(), settings)
    assert reply is not None
    assert City.model_validate_json(reply.content) == City(city="Paris", country="France")
    assert "response_format" not in chat_calls(gateway)[0].json


# --- `ChatCompletionAgent`, Semantic Kernel's agent quickstart ----------------------------------------


async def test_an_agent_with_a_plugin(client: og.OpenAI, gateway: LocalGateway) -> None:
    weather = Weather()
    agent = ChatCompletionAgent(service=chat_service(client), name="Assistant", instructions="Help.", plugins=[weather])
    gateway.model.script(ToolCall("Weather-get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    response = await agent.get_response(messages="What is the weather in Paris?")
    assert str(response.content) == "It is sunny in Paris."
    assert weather.ran == ["Paris"]
    assert "21 C and sunny in Paris" in chat_calls(gateway)[-1].json["messages"][-1]["content"]


async def test_an_agent_streams(client: og.OpenAI, gateway: LocalGateway) -> None:
    agent = ChatCompletionAgent(service=chat_service(client), name="Assistant", instructions="Help.")
    assert "".join([str(part.content) async for part in agent.invoke_stream(messages="Hello")]) == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["stream"] is True


async def test_an_agent_with_structured_output(client: og.OpenAI, gateway: LocalGateway) -> None:
    settings = KernelArguments(settings=OpenAIChatPromptExecutionSettings(response_format=City))
    agent = ChatCompletionAgent(service=chat_service(client), name="Geo", instructions="Locate.", arguments=settings)
    gateway.model.script({"city": "Paris", "country": "France"})
    response = await agent.get_response(messages="Where is the Eiffel tower?")
    assert City.model_validate_json(str(response.content)) == City(city="Paris", country="France")


async def test_the_default_model_on_flow_is_a_flow_name(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    service = chat_service(async_flow_client)
    reply = await service.get_chat_message_content(history(), OpenAIChatPromptExecutionSettings())
    assert reply is not None
    assert reply.content == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
