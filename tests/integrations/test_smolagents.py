"""smolagents' `OpenAIServerModel`, wired by `integrations.smolagents.model`, live against the local gateway."""

from __future__ import annotations

import json

import openai
import pytest
from smolagents import ChatMessage, CodeAgent, MessageRole, OpenAIServerModel, ToolCallingAgent, tool

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.smolagents import model
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ModelRequest, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, FLOW_MODEL, chat_calls, flow_chat_calls

HELLO = [ChatMessage(role=MessageRole.USER, content=[{"type": "text", "text": "Hello"}])]


def test_generate_reports_usage(client: og.OpenAI, gateway: LocalGateway) -> None:
    reply = model(client).generate(HELLO)
    assert reply.content == DEFAULT_REPLY
    assert reply.token_usage is not None
    assert reply.token_usage.output_tokens > 0
    assert chat_calls(gateway)[0].json["model"] == "gpt-4o-mini"


def test_generate_stream(client: og.OpenAI, gateway: LocalGateway) -> None:
    deltas = list(model(client, temperature=0.2).generate_stream(HELLO))
    assert "".join(d.content or "" for d in deltas) == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert (call.json["stream"], call.json["temperature"]) == (True, 0.2)


def test_the_guard_catches_the_trap_the_helper_avoids(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """`OpenAIServerModel(model_id)` as documented builds a client for api.openai.com."""
    bare = OpenAIServerModel("gpt-4o-mini", client_kwargs={"max_retries": 0}, retry=False)
    with pytest.raises(openai.APIConnectionError):
        bare.generate(HELLO)
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    with pytest.raises(TypeError, match=r"Expected an omnigate_openai\.OpenAI, got a plain openai\.OpenAI"):
        model(openai.OpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]


def test_tool_calling_agent_runs_the_tool_and_answers_with_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """The weather of a city.

        Args:
            city: The city.
        """
        ran.append(city)
        return f"21 C and sunny in {city}"

    def answer_from_the_observation(request: ModelRequest) -> ToolCall:
        seen = request.tool_results[-1].content if request.tool_results else request.last_user
        return ToolCall("final_answer", {"answer": f"The weather: {seen.split('Observation:')[-1].strip()}"})

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), answer_from_the_observation)
    agent = ToolCallingAgent(tools=[get_weather], model=model(client, retry=False), max_steps=3)
    answer = agent.run("What is the weather in Paris?")
    assert ran == ["Paris"]
    assert answer == "The weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "21 C and sunny in Paris" in json.dumps(second.json["messages"])


# --- `CodeAgent`, smolagents' first example: the model writes Python, no tool API involved -------------


@tool
def weather(city: str) -> str:
    """The weather of a city.

    Args:
        city: The city.
    """
    return f"21 C and sunny in {city}"


CODE = 'Thought: I ask the tool.\n<code>\nreport = weather("Paris")\nfinal_answer(report)\n</code>'


def test_code_agent_runs_the_code_the_model_writes(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(CODE)
    agent = CodeAgent(tools=[weather], model=model(client, retry=False), max_steps=2)
    assert agent.run("What is the weather in Paris?") == "21 C and sunny in Paris"
    [call] = chat_calls(gateway)
    assert "stop" in call.json  # smolagents stops the model at the end of its code block: forwarded by the gateway
    assert "weather" in call.json["messages"][0]["content"]


def test_code_agent_streams_its_steps(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(CODE)
    agent = CodeAgent(tools=[weather], model=model(client, retry=False), max_steps=2, stream_outputs=True)
    assert agent.run("What is the weather in Paris?") == "21 C and sunny in Paris"
    assert chat_calls(gateway)[0].json["stream"] is True


def test_code_agent_with_structured_outputs_internally(client: og.OpenAI, gateway: LocalGateway) -> None:
    """`use_structured_outputs_internally=True` asks for `{"thought", "code"}` by `response_format`."""
    gateway.model.script({"thought": "I ask the tool.", "code": 'final_answer(weather("Paris"))'})
    agent = CodeAgent(
        tools=[weather], model=model(client, retry=False), max_steps=2, use_structured_outputs_internally=True
    )
    assert agent.run("What is the weather in Paris?") == "21 C and sunny in Paris"
    assert "response_format" not in chat_calls(gateway)[0].json


def test_tool_calling_agent_streams(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("weather", {"city": "Paris"}), ToolCall("final_answer", {"answer": "Sunny."}))
    agent = ToolCallingAgent(tools=[weather], model=model(client, retry=False), max_steps=3, stream_outputs=True)
    assert agent.run("What is the weather in Paris?") == "Sunny."
    assert all(call.json["stream"] is True for call in chat_calls(gateway))


def test_the_documented_model_under_patch_openai(patched: LocalGateway) -> None:
    patched.model.script(CODE)
    agent = CodeAgent(tools=[weather], model=OpenAIServerModel("gpt-4o-mini", retry=False), max_steps=2)
    assert agent.run("What is the weather in Paris?") == "21 C and sunny in Paris"
    assert len(chat_calls(patched)) == 1


# --- the Flow gateway: tools native -----------------------------------------------------------------------


@tool
def flow_weather(city: str) -> str:
    """The weather of a city.

    Args:
        city: The city.
    """
    return f"21 C and sunny in {city}"


def test_generate_and_stream_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    flow_model = model(flow_client, FLOW_MODEL, retry=False)
    reply = flow_model.generate(HELLO)
    assert reply.content == DEFAULT_REPLY
    assert reply.token_usage is not None
    assert (reply.token_usage.input_tokens, reply.token_usage.output_tokens) == (4, 6)
    assert "".join(d.content or "" for d in flow_model.generate_stream(HELLO)) == DEFAULT_REPLY
    called, streamed = (call.json for call in flow_chat_calls(flow_gateway))
    assert (called["model"], streamed["stream"]) == (FLOW_MODEL, True)


def test_a_tool_call_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    reply = model(flow_client, FLOW_MODEL, retry=False).generate(HELLO, tools_to_call_from=[flow_weather])
    [call] = reply.tool_calls or []
    assert (call.function.name, json.loads(str(call.function.arguments))) == ("flow_weather", {"city": "example"})
    [sent] = flow_chat_calls(flow_gateway)
    assert (sent.json["tools"][0]["function"]["name"], sent.json["tool_choice"]) == ("flow_weather", "required")


def test_a_tool_calling_agent_answers_through_its_final_answer_tool_on_flow(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """The local Flow model calls the first tool offered: with no tool of its own, the agent's `final_answer`."""
    agent = ToolCallingAgent(tools=[], model=model(flow_client, FLOW_MODEL, retry=False), max_steps=2)
    assert agent.run("Say something.") == "example"
    [sent] = flow_chat_calls(flow_gateway)
    assert [tool["function"]["name"] for tool in sent.json["tools"]] == ["final_answer"]


def test_the_default_model_on_flow_is_a_flow_name(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    assert model(flow_client, retry=False).generate(HELLO).content == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
