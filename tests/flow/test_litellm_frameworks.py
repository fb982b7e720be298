"""The frameworks Flow users run most, over `flow.OpenAI` and a real LiteLLM proxy (the Flow gateway's engine).

LangChain's tools and structured output, and openai-agents' Runner with a function tool, streamed or not,
each end to end: what the framework hands back, and what reached the proxy's upstream (the offline model).
"""

from __future__ import annotations

import json
import operator
from collections.abc import AsyncIterator, Iterator
from functools import reduce
from typing import Any

import agents
import pytest
from agents import Agent, RunConfig, Runner
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from openai.types.responses import ResponseTextDeltaEvent
from pydantic import BaseModel

from omnigate_openai import flow
from omnigate_openai.integrations.langchain import chat_model
from omnigate_openai.integrations.openai_agents import model_provider

from ._litellm import LiteLLMProxy

pytestmark = pytest.mark.timeout(300)  # the first test of the session waits for the proxy to start

MODEL = "openai/gpt-4o"
UPSTREAM_CHAT = "/api/v1/gateway/v1/chat/completions"
SUNNY = "The tool said: 21 C and sunny in example"


class City(BaseModel):
    """A city and its country."""

    city: str
    country: str


EXAMPLE = City(city="example", country="example")


@tool
def get_weather(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


@agents.function_tool
def weather_tool(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


@pytest.fixture
def client(litellm_proxy: LiteLLMProxy) -> Iterator[flow.OpenAI]:
    with flow.OpenAI(base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0) as client:
        yield client


def _sent_since(proxy: LiteLLMProxy, before: int) -> list[dict[str, Any]]:
    """The bodies the upstream received since `before` calls (the proxy and its upstream live for the session)."""
    return [call.json for call in proxy.upstream.calls.to(UPSTREAM_CHAT)[before:]]


def _count(proxy: LiteLLMProxy) -> int:
    return len(proxy.upstream.calls.to(UPSTREAM_CHAT))


# --- LangChain ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_langchain_bind_tools_round_trip(client: flow.OpenAI, litellm_proxy: LiteLLMProxy, api: str) -> None:
    before = _count(litellm_proxy)
    model = chat_model(client, model=MODEL, use_responses_api=api == "responses").bind_tools([get_weather])
    question = HumanMessage("Weather in Paris?")
    asked = model.invoke([question])
    assert [(call["name"], call["args"]) for call in asked.tool_calls] == [("get_weather", {"city": "example"})]
    result = ToolMessage(get_weather.invoke(asked.tool_calls[0]["args"]), tool_call_id=asked.tool_calls[0]["id"])
    answer = model.invoke([question, asked, result])
    assert answer.text == SUNNY
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] == 9
    first, second = _sent_since(litellm_proxy, before)
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assert second["messages"][-1]["role"] == "tool"
    assert second["messages"][-1]["content"] == "21 C and sunny in example"


def test_langchain_streams_a_tool_call(client: flow.OpenAI, litellm_proxy: LiteLLMProxy) -> None:
    before = _count(litellm_proxy)
    model = chat_model(client, model=MODEL).bind_tools([get_weather])
    total = reduce(operator.add, model.stream("Weather in Rome?"))
    assert isinstance(total, AIMessageChunk)
    assert [(call["name"], call["args"]) for call in total.tool_calls] == [("get_weather", {"city": "example"})]
    assert total.usage_metadata is not None  # LiteLLM passes the usage chunk on
    assert total.usage_metadata["output_tokens"] == 2
    [sent] = _sent_since(litellm_proxy, before)
    assert sent["stream"] is True


@pytest.mark.parametrize(("method", "field"), [("function_calling", "tools"), ("json_schema", "response_format")])
def test_langchain_with_structured_output(
    client: flow.OpenAI, litellm_proxy: LiteLLMProxy, method: str, field: str
) -> None:
    before = _count(litellm_proxy)
    structured = chat_model(client, model=MODEL).with_structured_output(City, method=method)  # type: ignore[arg-type]
    assert structured.invoke("Where is the Eiffel tower?") == EXAMPLE
    [sent] = _sent_since(litellm_proxy, before)
    assert "City" in json.dumps(sent[field])


def test_langchain_create_agent_with_a_tool_and_a_structured_response(
    client: flow.OpenAI, litellm_proxy: LiteLLMProxy
) -> None:
    from langchain.agents import create_agent

    before = _count(litellm_proxy)
    agent = create_agent(chat_model(client, model=MODEL), tools=[get_weather], response_format=City)
    result = agent.invoke({"messages": [{"role": "user", "content": "Where is it sunny?"}]})
    assert result["structured_response"] == EXAMPLE
    first, second = _sent_since(litellm_proxy, before)
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assert second["response_format"]["json_schema"]["name"] == "City"


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_langchain_leaves_out_a_gpt_5_temperature_litellm_would_refuse(
    client: flow.OpenAI, litellm_proxy: LiteLLMProxy, api: str
) -> None:
    """LangChain drops it for a name starting `gpt-5`; for the Flow name, LiteLLM answered 400
    "doesn't support temperature=0.2 while reasoning is active"."""
    before = _count(litellm_proxy)
    model = chat_model(client, model="openai/gpt-5-mini", temperature=0.2, use_responses_api=api == "responses")
    assert model.invoke("Hello").text == "Hello there! How can I help?"
    [sent] = _sent_since(litellm_proxy, before)
    assert (sent["model"], "temperature" in sent) == ("openai/gpt-5-mini", False)


# --- openai-agents --------------------------------------------------------------------------------------------


@pytest.fixture
async def agents_run_config(litellm_proxy: LiteLLMProxy) -> AsyncIterator[RunConfig]:
    """openai-agents' run config over a Flow client of the real proxy, model names sent as written."""
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        yield RunConfig(model_provider=model_provider(client), tracing_disabled=True)


async def test_agents_runner_with_a_function_tool(litellm_proxy: LiteLLMProxy, agents_run_config: RunConfig) -> None:
    before = _count(litellm_proxy)
    agent = Agent(name="weather", model=MODEL, tools=[weather_tool])
    result = await Runner.run(agent, "What is the weather in Paris?", run_config=agents_run_config)
    assert result.final_output == SUNNY
    assert result.context_wrapper.usage.requests == 2
    first, second = _sent_since(litellm_proxy, before)
    assert (first["model"], first["tools"][0]["function"]["name"]) == (MODEL, "weather_tool")
    assert second["messages"][-1]["content"] == "21 C and sunny in example"


async def test_agents_streamed_run_with_a_function_tool(
    litellm_proxy: LiteLLMProxy, agents_run_config: RunConfig
) -> None:
    before = _count(litellm_proxy)
    agent = Agent(name="weather", model=MODEL, tools=[weather_tool])
    run = Runner.run_streamed(agent, "Weather in Paris?", run_config=agents_run_config)
    events = [event.data async for event in run.stream_events() if event.type == "raw_response_event"]
    assert run.final_output == SUNNY
    arguments = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    assert json.loads(arguments) == {"city": "example"}
    assert "".join(e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)) == SUNNY
    assert [sent["stream"] for sent in _sent_since(litellm_proxy, before)] == [True, True]


async def test_agents_output_type_after_a_tool(litellm_proxy: LiteLLMProxy) -> None:
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        run_config = RunConfig(model_provider=model_provider(client), tracing_disabled=True)
        agent = Agent(name="geo", model=MODEL, tools=[weather_tool], output_type=City)
        result = await Runner.run(agent, "Where is it sunny?", run_config=run_config)
    assert result.final_output == EXAMPLE
