"""LlamaIndex's `OpenAILike`, wired by `integrations.llama_index.llm`, live against the local gateway (openai 2.x)."""

from __future__ import annotations

from typing import Any

import openai
import pytest
from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult
from llama_index.core.llms import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai_like import OpenAILike
from pydantic import BaseModel

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai._client import KEY_PLACEHOLDER
from omnigate_openai.integrations.llama_index import llm, responses_llm
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_MODEL, OPENAI_DUMMY_KEY, chat_calls, flow_chat_calls

HELLO = [ChatMessage(role="user", content="Hello")]


def test_complete_and_chat(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = llm(client, model="gpt-4o-mini")
    assert model.complete("Hello").text == DEFAULT_REPLY
    assert model.chat(HELLO).message.content == DEFAULT_REPLY
    assert [call.path for call in chat_calls(gateway)] == ["/v1/chat/completions"] * 2
    assert not gateway.calls.to("/v1/completions")


def test_stream(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = llm(client, model="gpt-4o-mini")
    assert "".join(r.delta or "" for r in model.stream_complete("Hello")) == DEFAULT_REPLY
    assert "".join(r.delta or "" for r in model.stream_chat(HELLO)) == DEFAULT_REPLY
    assert [call.json["stream"] for call in chat_calls(gateway)] == [True, True]


async def test_async(client: og.OpenAI, async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    model = llm(client, async_client, model="gpt-4o-mini")
    assert (await model.acomplete("Hello")).text == DEFAULT_REPLY
    assert (await model.achat(HELLO)).message.content == DEFAULT_REPLY
    stream = await model.astream_chat(HELLO)
    assert "".join([r.delta or "" async for r in stream]) == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 3


async def test_async_calls_use_a_twin_of_the_sync_client(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert (await llm(client, model="gpt-4o-mini").acomplete("Hello")).text == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1


def test_gateway_error_is_the_shims_typed_error(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.faults.exhaust_budget("project", "daily")
    with pytest.raises(og.BudgetExceededError, match="budget") as caught:
        llm(client, model="gpt-4o-mini").complete("Hello")
    assert caught.value.status_code == 402


async def test_a_function_agent_runs_the_tool_and_uses_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    agent = FunctionAgent(tools=[get_weather], llm=llm(client, model="gpt-4o-mini"), system_prompt="Use the tools.")
    response = await agent.run(user_msg="What is the weather in Paris?")
    assert ran == ["a"]
    assert str(response) == "Tool results: get_weather: 21 C and sunny in a"
    first = chat_calls(gateway)[0].json
    assert "tools" not in first
    assert "## get_weather" in first["messages"][0]["content"]


class City(BaseModel):
    """A city and its country."""

    city: str
    country: str


def test_structured_predict(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("City", {"city": "Paris", "country": "France"}))
    model = llm(client, model="gpt-4o-mini")
    city = model.structured_predict(City, PromptTemplate("Where is the {place}?"), place="Eiffel tower")
    assert city == City(city="Paris", country="France")
    assert "Tool choice: required." in chat_calls(gateway)[0].json["messages"][0]["content"]


async def test_astructured_predict_with_the_default_model(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = llm(client, model="gpt-4o-mini")
    city = await model.astructured_predict(City, PromptTemplate("Where is the {place}?"), place="Eiffel tower")
    assert city == City(city="a", country="a")
    assert len(chat_calls(gateway)) == 1


async def test_the_guard_catches_the_trap_the_helper_avoids(
    client: og.OpenAI, gateway: LocalGateway, host_guard: SocketGuard
) -> None:
    """Only `openai_client=` set: async calls go through a client LlamaIndex builds for api.openai.com."""
    bare = OpenAILike(model="gpt-4o-mini", is_chat_model=True, openai_client=client, max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        await bare.acomplete("Hello")
    assert "api.openai.com" in host_guard.attempts
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


# --- structured LLMs, agents' structured output and events, the Responses LLM ------------------------

PARIS = City(city="Paris", country="France")


def test_a_structured_llm_chats_and_streams(client: og.OpenAI, gateway: LocalGateway) -> None:
    structured = llm(client, model="gpt-4o-mini").as_structured_llm(City)
    gateway.model.script(ToolCall("City", PARIS.model_dump()), ToolCall("City", PARIS.model_dump()))
    assert structured.chat([ChatMessage(role="user", content="Where is the Eiffel tower?")]).raw == PARIS
    parts = list(structured.stream_chat([ChatMessage(role="user", content="Where is the Eiffel tower?")]))
    assert parts[-1].raw == PARIS
    assert [call.json.get("stream", False) for call in chat_calls(gateway)] == [False, True]


def multiply(x: int, y: int) -> int:
    """Multiply two numbers."""
    return x * y


async def test_a_function_agent_with_an_output_class(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("multiply", {"x": 3, "y": 4}), "It is 12.", ToolCall("City", PARIS.model_dump()))
    agent = FunctionAgent(tools=[multiply], llm=llm(client, model="gpt-4o-mini"), output_cls=City)
    response = await agent.run("What is 3 * 4, and where is the Eiffel tower?")
    assert response.get_pydantic_model(City) == PARIS
    assert all("tools" not in call.json for call in chat_calls(gateway))


async def test_a_function_agents_events(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("multiply", {"x": 3, "y": 4}), "It is 12.")
    handler = FunctionAgent(tools=[multiply], llm=llm(client, model="gpt-4o-mini")).run("What is 3 * 4?")
    deltas: list[str] = []
    results: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            deltas.append(event.delta)
        elif isinstance(event, ToolCallResult):
            results.append(str(event.tool_output.content))
    assert str(await handler) == "It is 12."
    assert results == ["12"]
    assert "".join(deltas).endswith("It is 12.")


# --- `responses_llm`: the Responses LLM, its calls served over the gateway's chat route -------------------


def _asked(gateway: LocalGateway) -> list[list[dict[str, object]]]:
    """The messages of each chat call the gateway received; it must have received no Responses call."""
    assert not gateway.calls.to("/v1/responses")
    return [call.json["messages"] for call in chat_calls(gateway)]


def test_the_responses_llm_chats_and_completes(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = responses_llm(client, model="gpt-4o-mini", temperature=0.2)
    assert model.chat(HELLO).message.content == DEFAULT_REPLY
    assert model.complete("Hello").text == DEFAULT_REPLY
    sent = [(call.json["model"], call.json["temperature"]) for call in chat_calls(gateway)]
    assert sent == [("gpt-4o-mini", 0.2)] * 2
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]] * 2


def test_the_responses_llm_streams(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = responses_llm(client, model="gpt-4o-mini")
    assert "".join(r.delta or "" for r in model.stream_chat(HELLO)) == DEFAULT_REPLY
    assert "".join(r.delta or "" for r in model.stream_complete("Hello")) == DEFAULT_REPLY
    assert [call.json["stream"] for call in chat_calls(gateway)] == [True, True]
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]] * 2


async def test_the_responses_llm_async_on_the_twin(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = responses_llm(client, model="gpt-4o-mini")
    assert (await model.achat(HELLO)).message.content == DEFAULT_REPLY
    assert (await model.acomplete("Hello")).text == DEFAULT_REPLY
    stream = await model.astream_chat(HELLO)
    assert "".join([r.delta or "" async for r in stream]) == DEFAULT_REPLY
    assert [call.json.get("stream", False) for call in chat_calls(gateway)] == [False, False, True]
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]] * 3


async def test_the_responses_llm_async_on_a_given_client(
    client: og.OpenAI, async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    model = responses_llm(client, async_client, model="gpt-4o-mini")
    assert (await model.achat(HELLO)).message.content == DEFAULT_REPLY
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]]


def test_the_responses_llm_returns_a_tool_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("multiply", {"x": 3, "y": 4}))
    model = responses_llm(client, model="gpt-4o-mini")
    response = model.chat_with_tools([FunctionTool.from_defaults(multiply)], user_msg="What is 3 * 4?")
    [selection] = model.get_tool_calls_from_response(response)
    assert (selection.tool_name, selection.tool_kwargs) == ("multiply", {"x": 3, "y": 4})
    [call] = chat_calls(gateway)
    assert "tools" not in call.json  # offered by prompt
    assert "multiply" in call.json["messages"][0]["content"]


async def test_a_function_agent_on_the_responses_llm(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("multiply", {"x": 3, "y": 4}), "It is 12.")
    agent = FunctionAgent(tools=[multiply], llm=responses_llm(client, model="gpt-4o-mini"))
    assert str(await agent.run("What is 3 * 4?")) == "It is 12."
    first, second = chat_calls(gateway)
    assert first.json["stream"] is second.json["stream"] is True  # FunctionAgent streams
    assert "12" in second.json["messages"][-1]["content"]
    assert not gateway.calls.to("/v1/responses")


def test_the_responses_llm_structured_predict(client: og.OpenAI, gateway: LocalGateway) -> None:
    """It asks for `text.format` (native structured output), not a tool."""
    gateway.model.script(PARIS.model_dump())
    model = responses_llm(client, model="gpt-4o-mini")
    assert model.structured_predict(City, PromptTemplate("Where is the {place}?"), place="Eiffel tower") == PARIS
    assert "response_format" not in chat_calls(gateway)[0].json


async def test_the_responses_llms_sync_and_async_calls_count_in_one_guard(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    guard = og.Guard(limits=og.Limits(max_calls=1))
    model = responses_llm(client.with_guard(guard, agent_id="li"), model="gpt-4o-mini")
    await model.achat(HELLO)
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        model.chat(HELLO)
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        await model.achat(HELLO)
    assert [record.agent_id for record in guard.history()] == ["li"] * 3
    assert len(chat_calls(gateway)) == 1


async def test_the_responses_llm_keeps_the_clients_routing(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = responses_llm(client.with_routing(fallbacks=["gpt-4o"]), model="gpt-4o-mini")
    model.chat(HELLO)
    await model.achat(HELLO)
    assert [call.json["fallback_models"] for call in gateway.calls.to("/v1/chat")] == [["gpt-4o"]] * 2
    assert not chat_calls(gateway)  # a routed call takes the gateway's native chat route


@pytest.mark.parametrize("helper", [llm, responses_llm], ids=["llm", "responses_llm"])
def test_no_retry_past_the_clients_deadline(client: og.OpenAI, gateway: LocalGateway, helper: Any) -> None:
    """LlamaIndex's own retries (3 by default) would call again, after a wait, once the client's deadline passed."""
    model = helper(client.with_options(deadline=0.5), model="gpt-4o-mini")
    gateway.faults.slow(2.0)
    with pytest.raises(og.ConnectionError, match=r"^The call.s deadline of 0\.5 s passed"):
        model.chat(HELLO)
    assert len(chat_calls(gateway)) == 1


@pytest.mark.parametrize("helper", [llm, responses_llm], ids=["llm", "responses_llm"])
async def test_no_retry_past_the_async_twins_deadline(client: og.OpenAI, gateway: LocalGateway, helper: Any) -> None:
    model = helper(client.with_options(deadline=0.5), model="gpt-4o-mini")
    gateway.faults.slow(2.0)
    with pytest.raises(og.ConnectionError, match=r"^The call.s deadline of 0\.5 s passed"):
        await model.achat(HELLO)
    assert len(chat_calls(gateway)) == 1


def test_the_responses_llm_holds_the_placeholder_not_openai_api_key(client: og.OpenAI) -> None:
    """Without `api_key=`, `OpenAIResponses` reads `OPENAI_API_KEY` into a field that its `to_json()` exports."""
    model = responses_llm(client, model="gpt-4o-mini")
    assert model.api_key == KEY_PLACEHOLDER
    assert OPENAI_DUMMY_KEY not in model.to_json()
    assert model.api_base == str(client.base_url)


@pytest.mark.parametrize(
    ("helper", "refusal"),
    [(llm, openai.AuthenticationError), (responses_llm, openai.NotFoundError)],
    ids=["llm", "responses_llm"],
)
async def test_an_llm_rebuilt_from_its_dict_holds_no_key_and_stays_on_the_gateway(
    client: og.OpenAI, gateway: LocalGateway, helper: Any, refusal: type[Exception]
) -> None:
    """`to_dict()` / `to_json()` carry the URL and the placeholder, never a key. `from_dict` builds plain
    clients from them: they call the gateway without its key (a 401, or a 404 for `/v1/responses`),
    never OpenAI with `OPENAI_API_KEY` (the host guard and the fixture's header check see to that)."""
    model = helper(client, model="gpt-4o-mini")
    for dumped in (repr(model.to_dict()), model.to_json()):
        assert gateway.api_key not in dumped
        assert OPENAI_DUMMY_KEY not in dumped
    rebuilt = type(model).from_dict(model.to_dict())
    assert (rebuilt.api_key, rebuilt.api_base) == (KEY_PLACEHOLDER, str(client.base_url))
    with pytest.raises(refusal, match=r"^Error code: 40[14]"):
        rebuilt.chat(HELLO)
    with pytest.raises(refusal, match=r"^Error code: 40[14]"):
        await rebuilt.achat(HELLO)
    assert [call.headers.get("x-api-key") for call in gateway.calls] == [None, None]
    gateway.calls.clear()  # the fixture checks that every remaining call carried the gateway key


def test_the_responses_llm_refuses_a_plain_openai_client(gateway: LocalGateway) -> None:
    with pytest.raises(TypeError, match=r"Expected an omnigate_openai\.OpenAI, got a plain openai\.OpenAI"):
        responses_llm(openai.OpenAI(base_url=gateway.base_url, api_key="unused"), model="gpt-4o-mini")  # type: ignore[arg-type]


# --- `patch_openai()`: LlamaIndex's own `OpenAI` LLM, as its quickstart builds it ---------------------


async def test_llama_index_openai_llm_under_patch_openai(patched: LocalGateway) -> None:
    from llama_index.llms.openai import OpenAI

    model = OpenAI(model="gpt-4o-mini")
    assert model.complete("Hello").text == DEFAULT_REPLY
    patched.model.script(ToolCall("multiply", {"x": 3, "y": 4}), "It is 12.")
    assert str(await FunctionAgent(tools=[multiply], llm=model).run("What is 3 * 4?")) == "It is 12."
    assert len(chat_calls(patched)) == 3


# --- the Flow gateway: `provider/model` names, tools native -------------------------------------------

EXAMPLE = City(city="example", country="example")


@pytest.mark.parametrize("maker", [llm, responses_llm])
async def test_a_function_agent_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, maker: Any) -> None:
    """`responses_llm` with a Flow name raised `ValueError: Unknown model 'openai/gpt-4o'` at the first call:
    LlamaIndex sizes the context window by the name, which its table has only without the provider."""
    ran: list[str] = []

    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    agent = FunctionAgent(tools=[get_weather], llm=maker(flow_client, model=FLOW_MODEL))
    response = await agent.run(user_msg="What is the weather in Paris?")
    assert ran == ["example"]
    assert str(response) == "The tool said: 21 C and sunny in example"
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert (first["model"], first["tools"][0]["function"]["name"]) == (FLOW_MODEL, "get_weather")
    assert second["messages"][-1]["content"] == "21 C and sunny in example"


@pytest.mark.parametrize("maker", [llm, responses_llm])
def test_chat_stream_and_structured_predict_on_flow(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, maker: Any
) -> None:
    model = maker(flow_client, model=FLOW_MODEL)
    assert model.chat(HELLO).message.content == DEFAULT_REPLY
    assert "".join(r.delta or "" for r in model.stream_chat(HELLO)) == DEFAULT_REPLY
    assert model.structured_predict(City, PromptTemplate("Where is the {place}?"), place="Eiffel tower") == EXAMPLE
    *_, structured = flow_chat_calls(flow_gateway)
    assert "tools" in structured.json or "response_format" in structured.json  # native, either way


def test_the_responses_llm_sizes_a_flow_name_by_its_model(flow_client: flow.OpenAI) -> None:
    assert responses_llm(flow_client, model=FLOW_MODEL).metadata.context_window == 128_000  # gpt-4o's
    assert responses_llm(flow_client, model=FLOW_MODEL, context_window=4096).metadata.context_window == 4096
    claude = responses_llm(flow_client, model="anthropic/claude-sonnet-4-20250514")  # not in LlamaIndex's table
    with pytest.raises(ValueError, match="Unknown model 'anthropic/claude-sonnet-4-20250514'"):
        _ = claude.metadata
