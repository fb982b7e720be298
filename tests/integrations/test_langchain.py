"""LangChain's `ChatOpenAI`, wired by `integrations.langchain.chat_model`, live against the local gateway."""

from __future__ import annotations

import json
import operator
from functools import reduce
from pathlib import Path

import openai
import pytest
import tiktoken
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.langchain import chat_model
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, FLOW_MODEL, chat_calls, flow_chat_calls


def test_invoke_reports_usage(client: og.OpenAI, async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    reply = chat_model(client, async_client).invoke("Hello")
    assert reply.content == DEFAULT_REPLY
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["total_tokens"] > 0
    assert chat_calls(gateway)[0].json["model"] == "gpt-4o-mini"


def test_batch(client: og.OpenAI, gateway: LocalGateway) -> None:
    replies = chat_model(client).batch(["one", "two", "three"])
    assert [r.content for r in replies] == [DEFAULT_REPLY] * 3
    assert len(chat_calls(gateway)) == 3


def test_stream_ends_with_usage(client: og.OpenAI, gateway: LocalGateway) -> None:
    chunks = list(chat_model(client).stream("Hello"))
    total = reduce(operator.add, chunks)
    assert isinstance(total, AIMessageChunk)
    assert total.content == DEFAULT_REPLY
    assert total.usage_metadata is not None
    assert total.usage_metadata["output_tokens"] > 0
    assert chat_calls(gateway)[0].json["stream_options"] == {"include_usage": True}


async def test_ainvoke_and_astream(client: og.OpenAI, async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    model = chat_model(client, async_client, temperature=0.2)
    assert (await model.ainvoke("Hello")).content == DEFAULT_REPLY
    chunks = [chunk async for chunk in model.astream("Hello")]
    assert "".join(str(c.content) for c in chunks) == DEFAULT_REPLY
    assert [c.json["temperature"] for c in chat_calls(gateway)] == [0.2, 0.2]


async def test_async_calls_use_a_twin_of_the_sync_client(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = chat_model(client)
    assert isinstance(model.root_async_client, og.AsyncOpenAI)
    assert (await model.ainvoke("Hello")).content == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1


def test_budget_error_surfaces_as_the_gateways_typed_error(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.faults.exhaust_budget("project", "daily")
    with pytest.raises(og.BudgetExceededError, match="budget") as caught:
        chat_model(client).invoke("Hello")
    assert isinstance(caught.value, openai.APIStatusError)
    assert caught.value.status_code == 402


def test_rate_limit_is_langchains_error_caused_by_the_gateways(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.faults.rate_limit()
    with pytest.raises(openai.RateLimitError) as caught:
        chat_model(client).invoke("Hello")
    # LangChain re-raises as its own `OpenAIRateLimitError`; the shim's typed error is the cause.
    assert type(caught.value).__name__ == "OpenAIRateLimitError"
    cause = caught.value.__cause__
    assert type(cause) is og.RateLimitError
    assert cause.status_code == 429


async def test_stream_error_surfaces_as_the_gateways_typed_error(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.faults.exhaust_budget("project", "daily")
    with pytest.raises(og.BudgetExceededError, match="budget"):
        async for _ in chat_model(client).astream("Hello"):
            pass


def test_create_agent_runs_the_tool_and_answers_with_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    from langchain.agents import create_agent

    ran: list[str] = []

    @tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    agent = create_agent(chat_model(client), tools=[get_weather])
    result = agent.invoke({"messages": [{"role": "user", "content": "What is the weather in Paris?"}]})
    assert ran == ["a"]  # the local model's schema-valid argument
    assert result["messages"][-1].content == "Tool results: get_weather: 21 C and sunny in a"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert json.loads(second.json["messages"][-1]["content"])["tool_results"][0]["content"] == "21 C and sunny in a"


async def test_create_agent_async(client: og.OpenAI, gateway: LocalGateway) -> None:
    from langchain.agents import create_agent

    @tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    gateway.model.script(ToolCall("add", {"a": 2, "b": 3}))
    agent = create_agent(chat_model(client), tools=[add])
    result = await agent.ainvoke({"messages": [{"role": "user", "content": "2 + 3?"}]})
    assert result["messages"][-1].content == "Tool results: add: 5"


class City(BaseModel):
    """A city and its country."""

    city: str
    country: str


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_with_structured_output(client: og.OpenAI, gateway: LocalGateway, method: str) -> None:
    gateway.model.script(
        ToolCall("City", {"city": "Paris", "country": "France"})
        if method == "function_calling"
        else {"city": "Paris", "country": "France"}
    )
    model = chat_model(client).with_structured_output(City, method=method)  # type: ignore[arg-type]
    assert model.invoke("Where is the Eiffel tower?") == City(city="Paris", country="France")
    sent = chat_calls(gateway)[0].json
    assert "tools" not in sent
    assert "response_format" not in sent


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    plain = openai.OpenAI(base_url=gateway.base_url, api_key="unused")
    with pytest.raises(TypeError, match=r"Expected an omnigate_openai\.OpenAI, got a plain openai\.OpenAI"):
        chat_model(plain)  # type: ignore[arg-type]


async def test_the_guard_catches_the_trap_the_helper_avoids(
    client: og.OpenAI, gateway: LocalGateway, host_guard: SocketGuard
) -> None:
    """Only `client=` set: LangChain builds its own async client from OPENAI_API_KEY, for api.openai.com."""
    bare = ChatOpenAI(model="gpt-4o-mini", client=client.chat.completions, max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        await bare.ainvoke("Hello")
    assert "api.openai.com" in host_guard.attempts
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


# --- the Responses API: `use_responses_api=True` -------------------------------------------------------


@tool
def get_weather(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


def test_responses_api_with_a_tool_round_trip(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = chat_model(client, use_responses_api=True).bind_tools([get_weather])
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is 21 C and sunny in Paris.")
    question = HumanMessage("Weather in Paris?")
    asked = model.invoke([question])
    assert [(call["name"], call["args"]) for call in asked.tool_calls] == [("get_weather", {"city": "Paris"})]
    result = ToolMessage(get_weather.invoke(asked.tool_calls[0]["args"]), tool_call_id=asked.tool_calls[0]["id"])
    answer = model.invoke([question, asked, result])
    assert answer.text == "It is 21 C and sunny in Paris."
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["output_tokens"] > 0
    first, second = chat_calls(gateway)
    assert "## get_weather" in first.json["messages"][0]["content"]
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]
    assert not gateway.calls.to("/v1/responses")


async def test_responses_api_streams_a_tool_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = chat_model(client, use_responses_api=True).bind_tools([get_weather])
    gateway.model.script(ToolCall("get_weather", {"city": "Rome"}))
    chunks = [chunk async for chunk in model.astream("Weather in Rome?")]
    total = reduce(operator.add, chunks)
    assert isinstance(total, AIMessageChunk)
    assert [(call["name"], call["args"]) for call in total.tool_calls] == [("get_weather", {"city": "Rome"})]
    assert all(call.json["stream"] is True for call in chat_calls(gateway))


# --- the quickstart's agent with a structured response, and the Responses API's other paths -----------


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_create_agent_with_a_tool_and_a_tool_strategy_response(
    client: og.OpenAI, gateway: LocalGateway, api: str
) -> None:
    from langchain.agents import create_agent
    from langchain.agents.structured_output import ToolStrategy

    gateway.model.script(
        ToolCall("get_weather", {"city": "Paris"}), ToolCall("City", {"city": "Paris", "country": "France"})
    )
    model = chat_model(client, use_responses_api=api == "responses")
    agent = create_agent(model, tools=[get_weather], system_prompt="Be brief.", response_format=ToolStrategy(City))
    result = agent.invoke({"messages": [{"role": "user", "content": "Where is it sunny?"}]})
    assert result["structured_response"] == City(city="Paris", country="France")
    first, second = chat_calls(gateway)
    assert "## City" in first.json["messages"][0]["content"]  # the response format is offered as a tool
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_create_agent_with_a_schema_as_response_format(client: og.OpenAI, gateway: LocalGateway, api: str) -> None:
    """A bare schema picks the provider's native structured output for OpenAI models: `response_format`."""
    from langchain.agents import create_agent

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), {"city": "Paris", "country": "France"})
    agent = create_agent(
        chat_model(client, use_responses_api=api == "responses"), tools=[get_weather], response_format=City
    )
    result = agent.invoke({"messages": [{"role": "user", "content": "Where is it sunny?"}]})
    assert result["structured_response"] == City(city="Paris", country="France")
    assert all("response_format" not in call.json for call in chat_calls(gateway))


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_with_structured_output_over_the_responses_api(client: og.OpenAI, gateway: LocalGateway, method: str) -> None:
    gateway.model.script(
        ToolCall("City", {"city": "Paris", "country": "France"})
        if method == "function_calling"
        else {"city": "Paris", "country": "France"}
    )
    model = chat_model(client, use_responses_api=True).with_structured_output(City, method=method)  # type: ignore[arg-type]
    assert model.invoke("Where is the Eiffel tower?") == City(city="Paris", country="France")
    assert not gateway.calls.to("/v1/responses")


@pytest.mark.parametrize("api", ["chat", "responses"])
def test_structured_output_streams_to_the_whole_object(client: og.OpenAI, gateway: LocalGateway, api: str) -> None:
    gateway.model.script(ToolCall("City", {"city": "Paris", "country": "France"}))
    model = chat_model(client, use_responses_api=api == "responses").with_structured_output(
        City, method="function_calling"
    )
    assert list(model.stream("Where is the Eiffel tower?"))[-1] == City(city="Paris", country="France")
    assert chat_calls(gateway)[0].json["stream"] is True


def test_structured_output_with_the_raw_message(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"city": "Paris", "country": "France"})
    out = chat_model(client).with_structured_output(City, include_raw=True).invoke("Where is the Eiffel tower?")
    assert out["parsed"] == City(city="Paris", country="France")  # type: ignore[index]
    assert out["parsing_error"] is None  # type: ignore[index]
    assert out["raw"].usage_metadata["total_tokens"] > 0  # type: ignore[index]


def test_responses_api_text_and_stream(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = chat_model(client, use_responses_api=True)
    assert model.invoke("Hello").text == DEFAULT_REPLY
    total = reduce(operator.add, model.stream("Hello"))
    assert isinstance(total, AIMessageChunk)
    assert total.text == DEFAULT_REPLY
    assert total.usage_metadata is not None
    assert total.usage_metadata["output_tokens"] > 0
    assert not gateway.calls.to("/v1/responses")


def test_responses_api_continues_from_the_previous_response_id(client: og.OpenAI, gateway: LocalGateway) -> None:
    """`use_previous_response_id=True` sends only the new turn; the client's store supplies the rest."""
    model = chat_model(client, use_responses_api=True, use_previous_response_id=True)
    gateway.model.script("Hello Bob.", "Your name is Bob.")
    first = model.invoke([HumanMessage("I'm Bob")])
    second = model.invoke([HumanMessage("I'm Bob"), first, HumanMessage("What is my name?")])
    assert second.text == "Your name is Bob."
    assert [m["content"] for m in chat_calls(gateway)[1].json["messages"]] == [
        "I'm Bob",
        "Hello Bob.",
        "What is my name?",
    ]


async def test_create_agent_streams_tokens_and_tool_calls(client: og.OpenAI, gateway: LocalGateway) -> None:
    from langchain.agents import create_agent

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    agent = create_agent(chat_model(client), tools=[get_weather])
    chunks = [
        token
        async for token, _ in agent.astream(
            {"messages": [{"role": "user", "content": "Weather in Paris?"}]}, stream_mode="messages"
        )
    ]
    assert any(getattr(chunk, "tool_call_chunks", None) for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks if chunk.type == "AIMessageChunk") == "It is sunny in Paris."


# --- `patch_openai()`: model strings, for which LangChain builds its own clients ----------------------


def test_create_agent_with_a_model_string_under_patch_openai(patched: LocalGateway) -> None:
    from langchain.agents import create_agent
    from langchain.chat_models import init_chat_model

    patched.model.script(ToolCall("get_weather", {"city": "Paris"}), {"city": "Paris", "country": "France"})
    agent = create_agent(model="openai:gpt-4o-mini", tools=[get_weather], response_format=City)
    result = agent.invoke({"messages": [{"role": "user", "content": "Where is it sunny?"}]})
    assert result["structured_response"] == City(city="Paris", country="France")
    model = init_chat_model("gpt-4o-mini", model_provider="openai")
    assert model.invoke("Hello").text == DEFAULT_REPLY
    assert "".join(chunk.text for chunk in model.stream("Hello")) == DEFAULT_REPLY
    assert len(chat_calls(patched)) == 4  # the fixture checks each carried the gateway key and user id


# --- the Flow gateway: tools and `response_format` native, `provider/model` names --------------------------

EXAMPLE = City(city="example", country="example")
"""What the local Flow gateway's model fills a `City` schema with."""
SUNNY = "The tool said: 21 C and sunny in example"
APIS = ["chat", "responses"]


def _flow_model(client: flow.OpenAI, api: str) -> ChatOpenAI:
    return chat_model(client, model=FLOW_MODEL, use_responses_api=api == "responses")


@pytest.mark.parametrize("api", APIS)
def test_flow_invoke_and_stream_report_usage(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, api: str
) -> None:
    model = _flow_model(flow_client, api)
    reply = model.invoke("Hello")
    total = reduce(operator.add, model.stream("Hello"))
    assert isinstance(total, AIMessageChunk)
    assert reply.text == total.text == DEFAULT_REPLY
    for message in (reply, total):
        assert message.usage_metadata is not None
        assert (message.usage_metadata["input_tokens"], message.usage_metadata["output_tokens"]) == (4, 6)
    called, streamed = flow_chat_calls(flow_gateway)
    assert called.json["model"] == streamed.json["model"] == FLOW_MODEL
    assert streamed.json["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("api", APIS)
def test_flow_bind_tools_round_trip(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, api: str) -> None:
    model = _flow_model(flow_client, api).bind_tools([get_weather])
    question = HumanMessage("Weather in Paris?")
    asked = model.invoke([question])
    assert [(call["name"], call["args"]) for call in asked.tool_calls] == [("get_weather", {"city": "example"})]
    result = ToolMessage(get_weather.invoke(asked.tool_calls[0]["args"]), tool_call_id=asked.tool_calls[0]["id"])
    answer = model.invoke([question, asked, result])
    assert answer.text == SUNNY
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert first["tools"][0]["function"]["name"] == "get_weather"  # native, not a prompt
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": asked.tool_calls[0]["id"],
        "content": "21 C and sunny in example",
    }


@pytest.mark.parametrize("api", APIS)
async def test_flow_astream_a_tool_call(
    async_flow_client: flow.AsyncOpenAI, flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, api: str
) -> None:
    model = chat_model(
        flow_client, async_flow_client, model=FLOW_MODEL, use_responses_api=api == "responses"
    ).bind_tools([get_weather])
    total = reduce(operator.add, [chunk async for chunk in model.astream("Weather in Rome?")])
    assert isinstance(total, AIMessageChunk)
    assert [(call["name"], call["args"]) for call in total.tool_calls] == [("get_weather", {"city": "example"})]
    [call] = flow_chat_calls(flow_gateway)
    assert (call.json["stream"], call.json["tools"][0]["function"]["name"]) == (True, "get_weather")


# LangChain dumps the SDK's streamed `ParsedChatCompletion`, which warns (with plain openai too).
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(("method", "field"), [("function_calling", "tools"), ("json_schema", "response_format")])
def test_flow_with_structured_output(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, api: str, method: str, field: str
) -> None:
    structured = _flow_model(flow_client, api).with_structured_output(City, method=method)  # type: ignore[arg-type]
    assert structured.invoke("Where is the Eiffel tower?") == EXAMPLE
    assert list(structured.stream("Where is the Eiffel tower?"))[-1] == EXAMPLE
    called, streamed = (call.json for call in flow_chat_calls(flow_gateway))
    for sent in (called, streamed):
        assert "City" in json.dumps(sent[field])  # the schema sent as the field itself, not by prompt
        assert "properties" in json.dumps(sent[field])


@pytest.mark.parametrize("api", APIS)
def test_flow_create_agent_with_a_tool_and_a_structured_response(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, api: str
) -> None:
    from langchain.agents import create_agent

    agent = create_agent(_flow_model(flow_client, api), tools=[get_weather], response_format=City)
    result = agent.invoke({"messages": [{"role": "user", "content": "Where is it sunny?"}]})
    assert result["structured_response"] == EXAMPLE
    assert [message.type for message in result["messages"]] == ["human", "ai", "tool", "ai"]
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert first["tools"][0]["function"]["name"] == "get_weather"
    assert second["response_format"]["json_schema"]["name"] == "City"
    assert second["messages"][-1]["content"] == "21 C and sunny in example"


# --- LangChain's model-name judgments, made on a Flow name's model part ------------------------------

GPT_5_FLOW = "openai/gpt-5-mini"


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(("model", "sent"), [(GPT_5_FLOW, None), ("openai/gpt-4o", 0.2)])
def test_flow_temperature_is_judged_by_the_model_part(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, api: str, model: str, sent: float | None
) -> None:
    """LangChain drops a GPT-5 model's temperature (all it takes is 1; LiteLLM refuses the rest, a 400),
    looking for a name starting `gpt-5`: a Flow name's model part is looked at."""
    llm = chat_model(flow_client, model=model, temperature=0.2, use_responses_api=api == "responses")
    assert llm.invoke("Hello").text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert (call.json["model"], call.json.get("temperature")) == (model, sent)


async def test_flow_temperature_is_judged_by_the_model_part_async(
    flow_client: flow.OpenAI, async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway
) -> None:
    llm = chat_model(flow_client, async_flow_client, model=GPT_5_FLOW, temperature=0.2)
    total = reduce(operator.add, [chunk async for chunk in llm.astream("Hello")])
    assert isinstance(total, AIMessageChunk)
    assert total.text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert (call.json["model"], "temperature" in call.json) == (GPT_5_FLOW, False)


GPT_5_BY_LITELLM = [  # Flow names LiteLLM serves with its GPT-5 config (which refuses a temperature but 1, a 400)
    "azure/my-gpt-5-deployment",
    "azure/gpt5_series/my-deployment",
    "litellm_proxy/openai/gpt-5-mini",
    "ragflow/chat/my-chat/gpt-5",
    "openai/ft:gpt-5-mini:org::abc",
    "openai/gpt-6",
]
"""No model part starts `gpt-5`, which LangChain looks for (`tests/flow/test_framework_names.py` asks LiteLLM)."""


@pytest.mark.parametrize("model", GPT_5_BY_LITELLM)
def test_flow_names_litellm_serves_as_gpt_5_have_their_temperature_dropped(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, model: str
) -> None:
    llm = chat_model(flow_client, model=model, temperature=0.2)
    assert (llm.model_name, llm.temperature) == (model, None)
    assert flow_chat_calls(flow_gateway) == []


@pytest.mark.parametrize("model", ["openai/gpt-5-chat-latest", "azure/gpt-5-chat", "ragflow/chat/my-chat/gpt-4o"])
def test_flow_names_that_take_a_temperature_keep_it(flow_client: flow.OpenAI, model: str) -> None:
    """GPT-5's chat model takes one (LiteLLM gives it the GPT-4 parameters), and a `chat/` in a RAGFlow
    name is its endpoint, not GPT-5's chat model."""
    llm = chat_model(flow_client, model=model, temperature=0.2)
    assert (llm.model_name, llm.temperature) == (model, 0.2)


@pytest.fixture
def offline_encodings(monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken downloads an encoding on its first use; LiteLLM's wheel ships OpenAI's, under the file names
    tiktoken caches them by, so `TIKTOKEN_CACHE_DIR` pointed there serves them offline."""
    venv = Path(__file__).resolve().parents[2] / ".venvs" / "litellm"
    found = sorted(venv.glob("lib/python3*/site-packages/litellm/litellm_core_utils/tokenizers"))
    assert found, f"the encodings are read from the LiteLLM venv `make test` builds ({venv}): none there"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(found[0]))


@pytest.mark.usefixtures("offline_encodings", "host_guard")
@pytest.mark.parametrize(("flow_name", "openai_name"), [(FLOW_MODEL, "gpt-4o"), ("azure/my-gpt-5-deployment", "gpt-5")])
def test_flow_names_count_tokens_as_the_model_they_stand_for(
    client: og.OpenAI, flow_client: flow.OpenAI, flow_name: str, openai_name: str
) -> None:
    """LangChain picks the tokenizer, and whether it can count a chat at all, by the model's name: a Flow name
    fell back to `cl100k_base`, then raised `NotImplementedError` (the name does not start `gpt-`)."""
    messages = [HumanMessage("Count the tokens of this sentence, please."), AIMessage("Gladly: there are nine.")]
    on_omnigate = chat_model(client, model=openai_name).get_num_tokens_from_messages(messages)
    assert chat_model(flow_client, model=flow_name).get_num_tokens_from_messages(messages) == on_omnigate
    o200k = tiktoken.get_encoding("o200k_base")  # OpenAI's count: 3 a message, its role and text, 3 to prime the answer
    sent = [("user", messages[0].text), ("assistant", messages[1].text)]
    assert on_omnigate == 3 + sum(3 + len(o200k.encode(role)) + len(o200k.encode(text)) for role, text in sent)


def test_a_tokenizer_the_caller_names_is_kept(flow_client: flow.OpenAI) -> None:
    llm = chat_model(flow_client, model=FLOW_MODEL, tiktoken_model_name="gpt-4-0613")
    assert (llm.model_name, llm.tiktoken_model_name) == (FLOW_MODEL, "gpt-4-0613")
    assert chat_model(flow_client, model=FLOW_MODEL).tiktoken_model_name == "gpt-4o"


def test_the_same_model_gets_the_same_judgment_on_either_gateway(client: og.OpenAI, flow_client: flow.OpenAI) -> None:
    on_omnigate = chat_model(client, model="gpt-5-mini", temperature=0.2)
    on_flow = chat_model(flow_client, model=GPT_5_FLOW, temperature=0.2)
    assert on_flow.model_name == GPT_5_FLOW
    assert on_flow.temperature is on_omnigate.temperature is None
    assert on_omnigate.profile
    assert on_flow.profile == on_omnigate.profile  # LangChain's table knows `gpt-5-mini`, not the Flow name


def test_flow_summarization_by_a_fraction_of_the_context_window(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """A fraction of the window needs the model's profile: without it, LangChain refused to build the middleware."""
    from langchain.agents import create_agent
    from langchain.agents.middleware import SummarizationMiddleware

    llm = chat_model(flow_client, model="openai/gpt-4o")
    middleware = SummarizationMiddleware(model=llm, trigger=("fraction", 0.8))
    result = create_agent(llm, middleware=[middleware]).invoke({"messages": [{"role": "user", "content": "Hello"}]})
    assert result["messages"][-1].text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == "openai/gpt-4o"


def test_flow_default_model_is_a_flow_name(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    assert chat_model(flow_client).invoke("Hello").text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL


async def test_flow_default_model_is_a_flow_name_async(
    async_flow_client: flow.AsyncOpenAI, flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway
) -> None:
    reply = await chat_model(flow_client, async_flow_client).ainvoke("Hello")
    assert reply.text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL


def test_omnigate_default_model_stays_the_bare_name(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert chat_model(client).invoke("Hello").text == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert call.json["model"] == "gpt-4o-mini"
