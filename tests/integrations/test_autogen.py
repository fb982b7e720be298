"""AutoGen's `AssistantAgent` over `integrations.autogen.chat_client`, live against the local gateway."""

from __future__ import annotations

import openai
import pytest
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_core.models import CreateResult, UserMessage
from autogen_ext.models.openai import OpenAIChatCompletionClient
from pydantic import BaseModel

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.autogen import chat_client
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, FLOW_MODEL, chat_calls, flow_chat_calls


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


async def test_the_guard_catches_the_trap_the_helper_avoids(gateway: LocalGateway, host_guard: SocketGuard) -> None:
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


async def test_assistant_agent_runs_the_tool_and_answers_with_its_result(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    ran: list[str] = []

    async def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    agent = AssistantAgent("assistant", model_client=chat_client(client), tools=[get_weather], reflect_on_tool_use=True)
    result = await agent.run(task="What is the weather in Paris?")
    assert ran == ["Paris"]
    assert result.messages[-1].content == "Tool results: get_weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


class City(BaseModel):
    city: str
    country: str


# The SDK's own `ParsedChatCompletion` warns when AutoGen dumps it (plain openai does the same).
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
async def test_structured_output(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"city": "Paris", "country": "France"})
    agent = AssistantAgent("assistant", model_client=chat_client(client), output_content_type=City)
    result = await agent.run(task="Where is the Eiffel tower?")
    assert result.messages[-1].content == City(city="Paris", country="France")
    assert "response_format" not in chat_calls(gateway)[0].json


async def test_a_streaming_agent_runs_the_tool(client: og.OpenAI, gateway: LocalGateway) -> None:
    async def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    agent = AssistantAgent(
        "assistant",
        model_client=chat_client(client),
        tools=[get_weather],
        reflect_on_tool_use=True,
        model_client_stream=True,
    )
    result = await agent.run(task="What is the weather in Paris?")
    assert result.messages[-1].content == "It is sunny in Paris."
    assert all(call.json["stream"] is True for call in chat_calls(gateway))


async def test_create_stream_with_a_json_output_model(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"city": "Paris", "country": "France"})
    question = [UserMessage(content="Where is the Eiffel tower?", source="user")]
    items = [item async for item in chat_client(async_client).create_stream(question, json_output=City)]
    final = items[-1]
    assert isinstance(final, CreateResult)
    assert City.model_validate_json(str(final.content)) == City(city="Paris", country="France")
    assert "response_format" not in chat_calls(gateway)[0].json


async def test_json_mode(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"city": "Paris", "country": "France"})
    question = [UserMessage(content="Where is the Eiffel tower? Answer in JSON.", source="user")]
    result = await chat_client(async_client).create(question, json_output=True)
    assert City.model_validate_json(str(result.content)) == City(city="Paris", country="France")


async def test_a_round_robin_team(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script("A haiku.", "APPROVE")
    writer = AssistantAgent("writer", model_client=chat_client(client))
    critic = AssistantAgent("critic", model_client=chat_client(client), system_message="Say APPROVE when it is good.")
    team = RoundRobinGroupChat([writer, critic], termination_condition=TextMentionTermination("APPROVE"))
    result = await team.run(task="Write a haiku.")
    assert [message.content for message in result.messages] == ["Write a haiku.", "A haiku.", "APPROVE"]
    critics_view = chat_calls(gateway)[1].json["messages"]
    assert critics_view[0]["content"] == "Say APPROVE when it is good."
    # AutoGen names each message by its source; OmniGate drops `name`, so the client says it in the text.
    assert [m["content"] for m in critics_view[1:]] == ["user said:\nWrite a haiku.", "writer said:\nA haiku."]


async def test_the_documented_client_under_patch_openai(patched: LocalGateway) -> None:
    agent = AssistantAgent("assistant", model_client=OpenAIChatCompletionClient(model="gpt-4o-mini"))
    result = await agent.run(task="Hello")
    assert result.messages[-1].content == DEFAULT_REPLY
    assert len(chat_calls(patched)) == 1


# --- the Flow gateway: `provider/model` names, tools and `response_format` native ------------------------


@pytest.mark.parametrize(
    ("name", "family"), [(FLOW_MODEL, "gpt-4o"), ("anthropic/claude-sonnet-4-20250514", "claude-4-sonnet")]
)
def test_a_flow_name_gets_autogens_model_info_for_its_model(flow_client: flow.OpenAI, name: str, family: str) -> None:
    """AutoGen looks the name up in its table, which has `gpt-4o` but not `openai/gpt-4o`: it raised ValueError."""
    model = chat_client(flow_client, model=name)
    assert model.model_info["family"] == family
    assert model.model_info["function_calling"] is True


def test_a_name_autogen_does_not_know_still_needs_model_info(flow_client: flow.OpenAI) -> None:
    with pytest.raises(ValueError, match="model_info is required when model name is not a valid OpenAI model"):
        chat_client(flow_client, model="mistral/mistral-large-latest")


async def _weather(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


@pytest.mark.parametrize("stream", [False, True], ids=["run", "streamed"])
async def test_assistant_agent_runs_a_tool_on_flow(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, stream: bool
) -> None:
    agent = AssistantAgent(
        "assistant",
        model_client=chat_client(async_flow_client, model=FLOW_MODEL),
        tools=[_weather],
        reflect_on_tool_use=True,
        model_client_stream=stream,
    )
    result = await agent.run(task="What is the weather in Paris?")
    assert result.messages[-1].content == "The tool said: 21 C and sunny in example"
    usage = result.messages[-1].models_usage
    assert usage is not None
    assert usage.completion_tokens == (0 if stream else 9)  # AutoGen asks a stream for usage only if told to
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert (first["model"], first["tools"][0]["function"]["name"]) == (FLOW_MODEL, "_weather")
    assert second["messages"][-1]["role"] == "tool"
    assert [first.get("stream", False), second.get("stream", False)] == [stream, stream]


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")  # as in `test_structured_output`
async def test_structured_output_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    agent = AssistantAgent(
        "assistant", model_client=chat_client(flow_client, model=FLOW_MODEL), output_content_type=City
    )
    result = await agent.run(task="Where is the Eiffel tower?")
    assert result.messages[-1].content == City(city="example", country="example")
    assert flow_chat_calls(flow_gateway)[0].json["response_format"]["json_schema"]["name"] == "City"


async def test_a_round_robin_team_on_flow_keeps_the_speakers_names(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """LiteLLM passes `name` on: nothing is said in the text, as on OmniGate."""
    writer = AssistantAgent("writer", model_client=chat_client(flow_client, model=FLOW_MODEL))
    critic = AssistantAgent("critic", model_client=chat_client(flow_client, model=FLOW_MODEL))
    team = RoundRobinGroupChat([writer, critic], max_turns=2)
    result = await team.run(task="Write a haiku.")
    assert [message.content for message in result.messages] == ["Write a haiku.", DEFAULT_REPLY, DEFAULT_REPLY]
    critics_view = flow_chat_calls(flow_gateway)[1].json["messages"]
    assert [(m.get("name"), m["content"]) for m in critics_view[1:]] == [
        ("user", "Write a haiku."),
        ("writer", DEFAULT_REPLY),
    ]


async def test_the_default_model_on_flow_is_a_flow_name(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for; its model info is still AutoGen's."""
    model = chat_client(async_flow_client)
    assert model.model_info["family"] == "gpt-4o"
    result = await model.create([UserMessage(content="Hello", source="user")])
    assert result.content == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
