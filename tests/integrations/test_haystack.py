"""Haystack's `OpenAIChatGenerator`, wired by `integrations.haystack.chat_generator`, live against the local gateway."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

import openai
import pytest
import yaml
from haystack import Pipeline
from haystack.components.agents import Agent
from haystack.components.builders import ChatPromptBuilder
from haystack.components.generators.chat import OpenAIChatGenerator, OpenAIResponsesChatGenerator
from haystack.core.errors import DeserializationError
from haystack.dataclasses import ChatMessage, StreamingChunk
from haystack.tools import tool
from haystack.utils import Secret
from pydantic import BaseModel

import omnigate_openai as og
from _fakes import fake_key
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai._client import KEY_PLACEHOLDER
from omnigate_openai.integrations.haystack import chat_generator, responses_chat_generator
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import CHAT, FLOW_DEFAULT_MODEL, FLOW_MODEL, OPENAI_DUMMY_KEY, chat_calls, flow_chat_calls

HELLO = [ChatMessage.from_user("Hello")]


@tool
def get_weather(city: Annotated[str, "The city"]) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


class City(BaseModel):
    city: str
    country: str


def test_run_reports_usage(client: og.OpenAI, gateway: LocalGateway) -> None:
    generator = chat_generator(client)
    generator.warm_up()  # keeps the gateway client: Haystack builds one only when none is set
    [reply] = generator.run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY
    assert reply.meta["usage"]["total_tokens"] > 0
    assert chat_calls(gateway)[0].json["model"] == "gpt-4o-mini"


def test_streaming_callback_sees_every_delta(client: og.OpenAI, gateway: LocalGateway) -> None:
    pieces: list[str] = []
    generator = chat_generator(client, streaming_callback=lambda chunk: pieces.append(chunk.content))
    [reply] = generator.run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY == "".join(pieces)
    assert chat_calls(gateway)[0].json["stream"] is True


async def test_run_async_uses_the_twin(client: og.OpenAI, gateway: LocalGateway) -> None:
    generator = chat_generator(client, generation_kwargs={"temperature": 0.2})
    assert isinstance(generator.async_client, og.AsyncOpenAI)
    [reply] = (await generator.run_async(messages=HELLO))["replies"]
    assert reply.text == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["temperature"] == 0.2


def test_a_rebuilt_client_still_goes_to_the_gateway(
    client: og.OpenAI, gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `close()` the generator builds a gateway client again, from its fields and `OMNIGATE_API_KEY`."""
    generator = chat_generator(client.with_options(default_headers={"x-trace": "t1"}))
    generator.close()
    with pytest.raises(ValueError, match=r"None of the following authentication environment variables are set: "):
        generator.run(messages=HELLO)
    monkeypatch.setenv("OMNIGATE_API_KEY", gateway.api_key)
    [reply] = generator.run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY
    assert isinstance(generator.client, og.OpenAI)
    [call] = chat_calls(gateway)  # the fixture checks its key and user id
    assert call.headers["x-trace"] == "t1"


def test_the_guard_catches_the_trap_the_helper_avoids(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """A generator built as Haystack documents it calls api.openai.com with `OPENAI_API_KEY`."""
    bare = OpenAIChatGenerator(model="gpt-4o-mini", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        bare.run(messages=HELLO)
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    with pytest.raises(TypeError, match=r"Expected an omnigate_openai\.OpenAI, got a plain openai\.OpenAI"):
        chat_generator(openai.OpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]


def test_agent_runs_the_tool_and_answers_with_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    @tool
    def get_weather(city: Annotated[str, "The city"]) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    agent = Agent(chat_generator=chat_generator(client), tools=[get_weather])
    agent.warm_up()
    result = agent.run(messages=[ChatMessage.from_user("What is the weather in Paris?")])
    assert ran == ["Paris"]
    assert result["last_message"].text == "Tool results: get_weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


async def test_agent_run_async_streams_the_tool_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    @tool
    def add(a: Annotated[int, "first"], b: Annotated[int, "second"]) -> int:
        """Add two numbers."""
        return a + b

    pieces: list[str] = []
    gateway.model.script(ToolCall("add", {"a": 2, "b": 3}))
    agent = Agent(
        chat_generator=chat_generator(client), tools=[add], streaming_callback=lambda c: pieces.append(c.content)
    )
    result = await agent.run_async(messages=[ChatMessage.from_user("2 + 3?")])
    assert result["last_message"].text == "Tool results: add: 5"
    assert "".join(pieces).endswith("Tool results: add: 5")
    assert all(call.json["stream"] is True for call in chat_calls(gateway))


def test_structured_output_with_a_response_format(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"city": "Paris", "country": "France"})
    generator = chat_generator(client, generation_kwargs={"response_format": City})
    [reply] = generator.run(messages=[ChatMessage.from_user("Where is the Eiffel tower?")])["replies"]
    assert City.model_validate_json(reply.text or "") == City(city="Paris", country="France")
    assert "response_format" not in chat_calls(gateway)[0].json


def test_the_generator_returns_a_tool_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    [reply] = chat_generator(client, tools=[get_weather]).run(messages=[ChatMessage.from_user("Weather?")])["replies"]
    assert reply.tool_call is not None
    assert (reply.tool_call.tool_name, reply.tool_call.arguments) == ("get_weather", {"city": "Paris"})
    assert "tools" not in chat_calls(gateway)[0].json


def test_a_pipeline_with_a_prompt_builder(client: og.OpenAI, gateway: LocalGateway) -> None:
    pipeline = Pipeline()
    template = [ChatMessage.from_user("Tell me about {{city}}.")]
    pipeline.add_component("prompt", ChatPromptBuilder(template=template, required_variables="*"))
    pipeline.add_component("llm", chat_generator(client))
    pipeline.connect("prompt.prompt", "llm.messages")
    [reply] = pipeline.run({"prompt": {"city": "Paris"}})["llm"]["replies"]
    assert reply.text == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["messages"] == [{"role": "user", "content": "Tell me about Paris."}]


def test_streamed_structured_output_with_a_json_schema(client: og.OpenAI, gateway: LocalGateway) -> None:
    """Haystack streams structured output only for a JSON schema (a model class needs `parse`, which can't stream)."""
    schema = {"name": "City", "strict": True, "schema": {**City.model_json_schema(), "additionalProperties": False}}
    pieces: list[str] = []
    generator = chat_generator(
        client,
        generation_kwargs={"response_format": {"type": "json_schema", "json_schema": schema}},
        streaming_callback=lambda chunk: pieces.append(chunk.content),
    )
    gateway.model.script({"city": "Paris", "country": "France"})
    [reply] = generator.run(messages=[ChatMessage.from_user("Where is the Eiffel tower?")])["replies"]
    assert City.model_validate_json(reply.text or "") == City(city="Paris", country="France")
    assert "".join(pieces) == reply.text
    assert "response_format" not in chat_calls(gateway)[0].json


def test_generators_built_as_documented_under_patch_openai(patched: LocalGateway) -> None:
    """Haystack builds its own clients (chat and Responses generators alike): `patch_openai()` makes them ours."""
    [reply] = OpenAIChatGenerator(model="gpt-4o-mini").run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY
    [reply] = OpenAIResponsesChatGenerator(model="gpt-4o-mini").run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY
    assert len(chat_calls(patched)) == 2
    assert not patched.calls.to("/v1/responses")


def test_an_agent_on_the_responses_generator_under_patch_openai(patched: LocalGateway) -> None:
    patched.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    agent = Agent(chat_generator=OpenAIResponsesChatGenerator(model="gpt-4o-mini"), tools=[get_weather])
    agent.warm_up()
    result = agent.run(messages=[ChatMessage.from_user("What is the weather in Paris?")])
    assert result["last_message"].text == "It is sunny in Paris."
    assert "21 C and sunny in Paris" in chat_calls(patched)[-1].json["messages"][-1]["content"]


# --- `responses_chat_generator`: the Responses generator, its calls served over the gateway's chat route --------


def _asked(gateway: LocalGateway) -> list[list[dict[str, object]]]:
    """The messages of each chat call the gateway received; it must have received no Responses call."""
    assert not gateway.calls.to("/v1/responses")
    return [call.json["messages"] for call in chat_calls(gateway)]


def test_the_responses_generator_runs_as_a_chat_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    generator = responses_chat_generator(client, generation_kwargs={"temperature": 0.2})
    generator.warm_up()  # keeps the gateway client
    assert generator.client is client
    [reply] = generator.run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY
    assert reply.meta["usage"]["total_tokens"] > 0
    [call] = chat_calls(gateway)
    assert (call.json["model"], call.json["temperature"]) == ("gpt-4o-mini", 0.2)
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]]


def test_the_responses_generator_streams(client: og.OpenAI, gateway: LocalGateway) -> None:
    pieces: list[str] = []
    generator = responses_chat_generator(client, streaming_callback=lambda chunk: pieces.append(chunk.content))
    [reply] = generator.run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY == "".join(pieces)
    assert chat_calls(gateway)[0].json["stream"] is True
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]]


async def test_the_responses_generator_runs_async_on_the_twin(client: og.OpenAI, gateway: LocalGateway) -> None:
    generator = responses_chat_generator(client)
    assert isinstance(generator.async_client, og.AsyncOpenAI)
    [reply] = (await generator.run_async(messages=HELLO))["replies"]
    assert reply.text == DEFAULT_REPLY
    pieces: list[str] = []

    async def collect(chunk: StreamingChunk) -> None:
        pieces.append(chunk.content)

    [reply] = (await generator.run_async(messages=HELLO, streaming_callback=collect))["replies"]
    assert reply.text == DEFAULT_REPLY == "".join(pieces)
    assert [call.json.get("stream", False) for call in chat_calls(gateway)] == [False, True]
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]] * 2


def test_the_responses_generator_returns_a_tool_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    generator = responses_chat_generator(client, tools=[get_weather])
    [reply] = generator.run(messages=[ChatMessage.from_user("Weather?")])["replies"]
    assert reply.tool_call is not None
    assert (reply.tool_call.tool_name, reply.tool_call.arguments) == ("get_weather", {"city": "Paris"})
    [call] = chat_calls(gateway)
    assert "tools" not in call.json  # offered by prompt
    assert "get_weather" in call.json["messages"][0]["content"]


async def test_an_agent_on_the_responses_generator_streams_the_tool_call_async(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    pieces: list[str] = []
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    agent = Agent(
        chat_generator=responses_chat_generator(client),
        tools=[get_weather],
        streaming_callback=lambda chunk: pieces.append(chunk.content),
    )
    result = await agent.run_async(messages=[ChatMessage.from_user("What is the weather in Paris?")])
    assert result["last_message"].text == "It is sunny in Paris."
    assert "".join(pieces).endswith("It is sunny in Paris.")
    first, second = chat_calls(gateway)
    assert first.json["stream"] is second.json["stream"] is True
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


def test_an_agent_on_the_responses_generator_runs_the_tool(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    agent = Agent(chat_generator=responses_chat_generator(client), tools=[get_weather])
    agent.warm_up()
    result = agent.run(messages=[ChatMessage.from_user("What is the weather in Paris?")])
    assert result["last_message"].text == "It is sunny in Paris."
    assert "21 C and sunny in Paris" in chat_calls(gateway)[-1].json["messages"][-1]["content"]


async def test_the_responses_generators_sync_and_async_calls_count_in_one_guard(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    guard = og.Guard(limits=og.Limits(max_calls=1))
    generator = responses_chat_generator(client.with_guard(guard, agent_id="hay"))
    await generator.run_async(messages=HELLO)
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        generator.run(messages=HELLO)
    with pytest.raises(og.LimitExceededError, match="max_calls"):
        await generator.run_async(messages=HELLO)
    assert [record.agent_id for record in guard.history()] == ["hay"] * 3
    assert len(chat_calls(gateway)) == 1


async def test_the_responses_generator_keeps_the_clients_routing_and_timeout(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    routed = client.with_routing(fallbacks=["gpt-4o"]).with_options(timeout=7.0)
    generator = responses_chat_generator(routed)
    assert generator.async_client is not None
    assert generator.async_client.timeout == 7.0
    generator.run(messages=HELLO)
    await generator.run_async(messages=HELLO)
    assert [call.json["fallback_models"] for call in gateway.calls.to("/v1/chat")] == [["gpt-4o"]] * 2
    assert not gateway.calls.to(CHAT)  # a routed call takes the gateway's native chat route


async def test_a_closed_responses_generator_rebuilds_a_client_for_the_gateway(
    client: og.OpenAI, gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `close()` / `close_async()` both clients are built again as gateway clients: chat calls, no Responses."""
    monkeypatch.setenv("OMNIGATE_API_KEY", gateway.api_key)
    generator = responses_chat_generator(client)
    generator.close()
    await generator.close_async()
    generator.run(messages=HELLO)
    [reply] = (await generator.run_async(messages=HELLO))["replies"]
    assert reply.text == DEFAULT_REPLY
    assert isinstance(generator.async_client, og.AsyncOpenAI)
    assert _asked(gateway) == [[{"role": "user", "content": "Hello"}]] * 2


def test_the_responses_generator_refuses_a_plain_openai_client(gateway: LocalGateway) -> None:
    with pytest.raises(TypeError, match=r"Expected an omnigate_openai\.OpenAI, got a plain openai\.OpenAI"):
        responses_chat_generator(openai.OpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]


# --- Serialization: `Pipeline.dumps()` / `loads()` and `to_dict()` / `from_dict()` ----------------------------

GENERATORS_MODULE = "omnigate_openai.integrations.haystack.generators"
HELPERS = pytest.mark.parametrize("helper", [chat_generator, responses_chat_generator])


def _dumped(generator: OpenAIChatGenerator | OpenAIResponsesChatGenerator) -> str:
    pipeline = Pipeline()
    pipeline.add_component("llm", generator)
    return pipeline.dumps()


@HELPERS
async def test_a_dumped_pipeline_holds_no_secret_and_loads_to_the_same_gateway(
    helper: Any, client: og.OpenAI, gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    routed = client.with_routing(fallbacks=["gpt-4o"]).with_options(timeout=7.0, default_headers={"x-trace": "t1"})
    dumped = _dumped(helper(routed, generation_kwargs={"temperature": 0.2}))
    for secret in (gateway.api_key, KEY_PLACEHOLDER, OPENAI_DUMMY_KEY):
        assert secret not in dumped
    params = yaml.safe_load(dumped)["components"]["llm"]["init_parameters"]
    assert params["api_key"] == {"type": "env_var", "env_vars": ["OMNIGATE_API_KEY"], "strict": True}
    assert (params["api_base_url"], params["timeout"], params["max_retries"]) == (gateway.base_url, 7.0, 0)

    monkeypatch.setenv("OMNIGATE_API_KEY", gateway.api_key)
    loaded = Pipeline.loads(dumped, allowed_modules=[GENERATORS_MODULE])
    assert loaded.dumps() == dumped
    [reply] = loaded.run({"llm": {"messages": HELLO}})["llm"]["replies"]
    assert reply.text == DEFAULT_REPLY
    [reply] = (await loaded.run_async({"llm": {"messages": HELLO}}))["llm"]["replies"]
    assert reply.text == DEFAULT_REPLY
    generator = loaded.get_component("llm")
    assert isinstance(generator.client, og.OpenAI)
    assert isinstance(generator.async_client, og.AsyncOpenAI)
    assert generator.async_client.timeout == 7.0
    calls = gateway.calls.to("/v1/chat")  # routed: the native route; the fixture checks key and user id
    assert [(c.json["fallback_models"], c.json["temperature"], c.headers["x-trace"]) for c in calls] == [
        (["gpt-4o"], 0.2, "t1")
    ] * 2
    assert not gateway.calls.to("/v1/responses")


@HELPERS
def test_a_loaded_pipeline_without_the_key_variable_stops_before_sending(
    helper: Any, client: og.OpenAI, gateway: LocalGateway
) -> None:
    loaded = Pipeline.loads(_dumped(helper(client)), allowed_modules=[GENERATORS_MODULE])
    with pytest.raises(ValueError, match=r"None of the following authentication environment variables are set: "):
        loaded.run({"llm": {"messages": HELLO}})
    assert list(gateway.calls) == []


async def test_a_loaded_generator_without_the_key_variable_stops_before_sending_async(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    data = responses_chat_generator(client).to_dict()
    loaded = type(responses_chat_generator(client)).from_dict(data)
    with pytest.raises(ValueError, match=r"variables are set: \('OMNIGATE_API_KEY',\)"):
        await loaded.run_async(messages=HELLO)
    assert list(gateway.calls) == []


def test_loading_needs_the_module_on_haystacks_allowlist(client: og.OpenAI) -> None:
    with pytest.raises(
        DeserializationError, match=rf"Refusing to deserialize a class from module '{GENERATORS_MODULE}'"
    ):
        Pipeline.loads(_dumped(chat_generator(client)))


def test_the_key_variable_can_be_named(
    client: og.OpenAI, gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    generator = chat_generator(client, api_key=Secret.from_env_var("MY_GATEWAY_KEY"))
    data = generator.to_dict()
    assert data["init_parameters"]["api_key"]["env_vars"] == ["MY_GATEWAY_KEY"]
    monkeypatch.setenv("MY_GATEWAY_KEY", gateway.api_key)
    [reply] = type(generator).from_dict(data).run(messages=HELLO)["replies"]
    assert reply.text == DEFAULT_REPLY


class _OwnResponseStore(og.MemoryResponseStore):
    """A response store of the user's: it lives in this process, and no field can name it."""


def _gateway_url(client: og.OpenAI) -> str:
    return str(client.base_url).rstrip("/")


NOT_CARRIED: dict[str, Callable[[og.OpenAI], og.OpenAI | tuple[og.OpenAI, og.AsyncOpenAI]]] = {
    "a guard": lambda c: c.with_guard(og.Guard(limits=og.Limits(max_calls=9))),
    "a response store of its own": lambda c: og.OpenAI(
        base_url=_gateway_url(c), api_key=fake_key("llmg_", "store-test"), response_store=_OwnResponseStore()
    ),
    "credentials in its base URL": lambda c: c.with_options(base_url=_gateway_url(c).replace("//", "//u:pw@")),
    "the header 'X-Tenant-Token', which looks like a secret": lambda c: c.with_options(
        default_headers={"X-Tenant-Token": "tenant-secret-value"}
    ),
    "a timeout that is not a number of seconds": lambda c: c.with_options(timeout=openai.Timeout(5.0, connect=1.0)),
    "the settings of another gateway (The Flow gateway)": lambda c: flow.OpenAI(
        base_url=_gateway_url(c).removesuffix("/v1"), api_key=fake_key("fl_", "flow-key-never-sent")
    ),
    "a twin that differs from it": lambda c: (c, c.with_user("someone-else")._twin()),
}


@HELPERS
@pytest.mark.parametrize("what", NOT_CARRIED)
async def test_what_no_field_can_carry_is_refused_not_dropped(
    helper: Any, what: str, client: og.OpenAI, gateway: LocalGateway
) -> None:
    """A guard dropped from a loaded pipeline, or from a client built again after `close()`, would let calls past it."""
    built = NOT_CARRIED[what](client)
    sync, async_ = built if isinstance(built, tuple) else (built, None)
    generator = helper(sync, async_)
    with pytest.raises(
        og.ConfigurationError, match=rf"^Can't serialize this generator: its gateway client has {re.escape(what)}"
    ):
        _dumped(generator)
    generator.close()
    with pytest.raises(
        og.ConfigurationError, match=rf"^Can't build this generator's client again: .*{re.escape(what)}"
    ):
        generator.run(messages=HELLO)
    await generator.close_async()
    with pytest.raises(og.ConfigurationError, match=r"which no field can carry\. Build the generator from a client"):
        await generator.run_async(messages=HELLO)
    assert list(gateway.calls) == []


def test_unknown_client_options_are_refused_when_loaded(client: og.OpenAI) -> None:
    data = chat_generator(client).to_dict()
    data["init_parameters"]["client_options"]["organisation"] = "acme"
    with pytest.raises(TypeError, match=r"Unknown client_options \['organisation'\]; known: \['allow_ignored_fields'"):
        type(chat_generator(client)).from_dict(data)


# --- the Flow gateway: tools and `response_format` native --------------------------------------------------

GENERATORS = {"chat": chat_generator, "responses": responses_chat_generator}


@pytest.mark.parametrize("kind", GENERATORS)
def test_an_agent_runs_the_tool_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, kind: str) -> None:
    ran: list[str] = []

    @tool
    def flow_weather(city: Annotated[str, "The city"]) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    agent = Agent(chat_generator=GENERATORS[kind](flow_client, model=FLOW_MODEL), tools=[flow_weather])
    agent.warm_up()
    result = agent.run(messages=[ChatMessage.from_user("What is the weather in Paris?")])
    assert ran == ["example"]
    assert result["last_message"].text == "The tool said: 21 C and sunny in example"
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert (first["model"], first["tools"][0]["function"]["name"]) == (FLOW_MODEL, "flow_weather")
    assert second["messages"][-1]["content"] == "21 C and sunny in example"


@pytest.mark.parametrize("kind", GENERATORS)
async def test_an_agent_streams_the_tool_call_async_on_flow(
    flow_client: flow.OpenAI, async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, kind: str
) -> None:
    chunks: list[StreamingChunk] = []
    agent = Agent(
        chat_generator=GENERATORS[kind](flow_client, async_flow_client, model=FLOW_MODEL),
        tools=[get_weather],
        streaming_callback=chunks.append,
    )
    result = await agent.run_async(messages=[ChatMessage.from_user("Weather?")])
    assert result["last_message"].text == "The tool said: 21 C and sunny in example"
    assert "".join(chunk.content for chunk in chunks).endswith("The tool said: 21 C and sunny in example")
    assert any(chunk.tool_calls for chunk in chunks)
    assert [call.json["stream"] for call in flow_chat_calls(flow_gateway)] == [True, True]


def test_structured_output_on_flow(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    generator = chat_generator(flow_client, model=FLOW_MODEL, generation_kwargs={"response_format": City})
    [reply] = generator.run(messages=[ChatMessage.from_user("Where is the Eiffel tower?")])["replies"]
    assert City.model_validate_json(reply.text or "") == City(city="example", country="example")
    assert flow_chat_calls(flow_gateway)[0].json["response_format"]["json_schema"]["name"] == "City"


@pytest.mark.parametrize("kind", GENERATORS)
def test_the_default_model_on_flow_is_a_flow_name(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, kind: str
) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    generator = GENERATORS[kind](flow_client)
    assert generator.run(messages=HELLO)["replies"][0].text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL


@pytest.mark.parametrize("kind", GENERATORS)
async def test_the_default_model_on_flow_is_a_flow_name_async(
    flow_client: flow.OpenAI, async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, kind: str
) -> None:
    generator = GENERATORS[kind](flow_client, async_flow_client)
    assert (await generator.run_async(messages=HELLO))["replies"][0].text == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
