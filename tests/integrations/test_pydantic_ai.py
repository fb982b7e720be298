"""pydantic-ai's `OpenAIChatModel`, wired by `integrations.pydantic_ai.chat_model`, live against the local gateway."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput, PromptedOutput, ToolOutput
from pydantic_ai.models.openai import (
    OpenAIChatModel,
    OpenAIChatModelSettings,
    OpenAIResponsesModel,
    OpenAIResponsesModelSettings,
)
from pydantic_ai.providers.openai import OpenAIProvider

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.integrations.pydantic_ai import PROMPTED_ONLY, chat_model, responses_model
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, FLOW_MODEL, USER_ID, chat_calls, flow_chat_calls


class City(BaseModel):
    city: str
    country: str


async def test_run(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    result = await Agent(chat_model(async_client), instructions="Be brief.").run("Hello")
    assert result.output == DEFAULT_REPLY
    usage = result.usage() if inspect.ismethod(result.usage) else result.usage  # a method in older pydantic-ai
    assert usage.output_tokens > 0
    assert chat_calls(gateway)[0].json["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_streamed_run(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    async with Agent(chat_model(async_client)).run_stream("Hello") as run:
        deltas = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    assert "".join(deltas) == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["stream"] is True


def test_run_sync_with_a_sync_client(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert Agent(chat_model(client)).run_sync("Hello").output == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1


async def test_max_retries_setting_keeps_the_gateway_settings(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    """`max_retries` in model settings rebuilds the client through `with_options` (pydantic-ai >= 2.6x)."""
    agent = Agent(chat_model(async_client), model_settings={"max_retries": 1})  # type: ignore[typeddict-unknown-key]
    assert (await agent.run("Hello")).output == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1  # the fixture checks its key and user id


@pytest.mark.parametrize("gateway_reply", ['{"city": "Paris", "country": "France"}'])
async def test_prompted_output_still_works(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    result = await Agent(chat_model(async_client), output_type=PromptedOutput(City)).run("Where is the Eiffel tower?")
    assert result.output == City(city="Paris", country="France")
    [call] = chat_calls(gateway)
    assert '"country"' in call.json["messages"][0]["content"]  # the schema is in the prompt


async def test_a_tool_runs_and_the_answer_uses_its_result(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []
    agent = Agent(chat_model(async_client), instructions="Use the tools.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    result = await agent.run("What is the weather in Paris?")
    assert ran == ["a"]  # the default model's schema-valid argument
    assert result.output == "Tool results: get_weather: 21 C and sunny in a"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "## get_weather\nThe weather of a city." in first.json["messages"][0]["content"]
    assert '"tool_results"' in second.json["messages"][-1]["content"]


@pytest.mark.parametrize(
    "output", [City, ToolOutput(City), NativeOutput(City)], ids=["default", "ToolOutput", "Native"]
)
async def test_structured_output_modes_after_a_tool(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, output: object
) -> None:
    ran: list[str] = []
    agent = Agent(chat_model(async_client), output_type=output)  # type: ignore[call-overload]

    @agent.tool_plain
    def capital_of(country: str) -> str:
        """The capital of a country."""
        ran.append(country)
        return "Paris"

    result = await agent.run("Where is the Eiffel tower?")
    assert ran == ["a"]
    # Every string the default model writes after the tool carries the tool's result.
    assert result.output == City(city="capital_of: Paris", country="capital_of: Paris")
    sent = [call.json for call in chat_calls(gateway)]
    assert all("tools" not in body and "response_format" not in body for body in sent)


async def test_a_strict_client_with_the_prompted_profile(gateway: LocalGateway) -> None:
    async with og.AsyncOpenAI(
        base_url=gateway.base_url, api_key=gateway.api_key, user_id=USER_ID, emulate_tools=False
    ) as strict:
        agent = Agent(chat_model(strict, profile=PROMPTED_ONLY), output_type=City)
        gateway.model.script('{"city": "Paris", "country": "France"}')
        assert (await agent.run("Where?")).output == City(city="Paris", country="France")
        with pytest.raises(og.UnsupportedFeatureError, match=r"silently ignores `tools`"):
            await Agent(chat_model(strict), output_type=City).run("Where?")


# --- the Responses API: `OpenAIResponsesModel` ---------------------------------------------------------


def _responses_model(client: og.AsyncOpenAI) -> OpenAIResponsesModel:
    return OpenAIResponsesModel("gpt-4o-mini", provider=OpenAIProvider(openai_client=client))


async def test_responses_model_runs_a_tool(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    agent = Agent(_responses_model(async_client), instructions="Be brief.")
    ran: list[str] = []

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is 21 C and sunny in Paris.")
    result = await agent.run("Weather in Paris?")
    assert ran == ["Paris"]
    assert result.output == "It is 21 C and sunny in Paris."
    first, second = chat_calls(gateway)
    assert first.json["messages"][0]["content"].startswith("Be brief.")
    assert "## get_weather" in first.json["messages"][0]["content"]
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]
    assert not gateway.calls.to("/v1/responses")


async def test_responses_model_streams(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    async with Agent(_responses_model(async_client)).run_stream("Hello") as run:
        deltas = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    assert "".join(deltas) == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["stream"] is True


# --- reasoning settings: the gateway drops `reasoning_effort`, so asking for it is refused ---------------


async def test_a_reasoning_effort_the_gateway_would_drop_is_refused(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    """The same refusal as on the Responses model, where pydantic-ai sends it as `reasoning`."""
    settings = OpenAIChatModelSettings(openai_reasoning_effort="high")
    with pytest.raises(og.UnsupportedFeatureError, match=r"silently ignores `reasoning_effort`") as caught:
        await Agent(chat_model(async_client), model_settings=settings).run("Hello")
    assert caught.value.field == "reasoning_effort"
    with pytest.raises(og.UnsupportedFeatureError, match=r"cannot honour `reasoning`"):
        await Agent(_responses_model(async_client), model_settings=settings).run("Hello")
    assert chat_calls(gateway) == []


# --- structured output, streaming and conversations on either model -----------------------------------

PARIS = City(city="Paris", country="France")


def _model(client: og.AsyncOpenAI, api: str) -> OpenAIChatModel | OpenAIResponsesModel:
    return chat_model(client) if api == "chat" else _responses_model(client)


def _script_city(gateway: LocalGateway, output: object) -> None:
    """`final_result` is pydantic-ai's output tool; the other modes ask for the JSON itself."""
    gateway.model.script(
        ToolCall("final_result", PARIS.model_dump())
        if output is City or isinstance(output, ToolOutput)
        else PARIS.model_dump()
    )


@pytest.mark.parametrize(
    "output",
    [City, ToolOutput(City), NativeOutput(City), PromptedOutput(City)],
    ids=["default", "Tool", "Native", "Prompted"],
)
async def test_responses_model_structured_output(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, output: object
) -> None:
    _script_city(gateway, output)
    result = await Agent(_responses_model(async_client), output_type=output).run("Where is the Eiffel tower?")  # type: ignore[call-overload]
    assert result.output == PARIS
    assert all("tools" not in c.json and "response_format" not in c.json for c in chat_calls(gateway))


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize("output", [City, NativeOutput(City)], ids=["default", "Native"])
async def test_streamed_structured_output(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, api: str, output: object
) -> None:
    _script_city(gateway, output)
    async with Agent(_model(async_client, api), output_type=output).run_stream("Where is the Eiffel tower?") as run:  # type: ignore[call-overload]
        outputs = [partial async for partial in run.stream_output()]
    assert outputs[-1] == PARIS
    assert chat_calls(gateway)[0].json["stream"] is True


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_a_streamed_run_with_a_tool(async_client: og.AsyncOpenAI, gateway: LocalGateway, api: str) -> None:
    agent = Agent(_model(async_client, api))

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    async with agent.run_stream("Weather in Paris?") as run:
        deltas = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    assert "".join(deltas) == "It is sunny in Paris."
    assert "21 C and sunny in Paris" in chat_calls(gateway)[-1].json["messages"][-1]["content"]


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_a_conversation_from_message_history(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, api: str
) -> None:
    agent = Agent(_model(async_client, api), instructions="Be brief.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "Sunny in Paris.", "Still sunny.")
    first = await agent.run("Weather in Paris?")
    second = await agent.run("And now?", message_history=first.all_messages())
    assert second.output == "Still sunny."
    sent = chat_calls(gateway)[-1].json["messages"]
    assert any(m["role"] == "assistant" and m["content"] == "Sunny in Paris." for m in sent)
    assert sent[-1] == {"role": "user", "content": "And now?"}


async def test_responses_model_chains_by_previous_response_id(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    """`openai_previous_response_id="auto"`: after the tool call only its result is sent; the store has the rest."""
    settings = OpenAIResponsesModelSettings(openai_previous_response_id="auto")
    agent = Agent(_responses_model(async_client), model_settings=settings)

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "Sunny in Paris.")
    assert (await agent.run("Weather in Paris?")).output == "Sunny in Paris."
    sent = chat_calls(gateway)[-1].json["messages"]
    assert next(m["content"] for m in sent if m["role"] == "user") == "Weather in Paris?"
    assert "21 C and sunny in Paris" in sent[-1]["content"]


# --- `patch_openai()`: model strings, for which pydantic-ai builds its own client ---------------------


@pytest.mark.parametrize("prefix", ["openai", "openai-responses"])
async def test_model_strings_under_patch_openai(patched: LocalGateway, prefix: str) -> None:
    agent = Agent(f"{prefix}:gpt-4o-mini", instructions="Be concise.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    patched.model.script(ToolCall("get_weather", {"city": "Paris"}), "Sunny in Paris.")
    assert (await agent.run("Weather in Paris?")).output == "Sunny in Paris."
    _script_city(patched, City)
    assert (await Agent(f"{prefix}:gpt-4o-mini", output_type=City).run("Where?")).output == PARIS
    assert len(chat_calls(patched)) == 3


# --- the Flow gateway: tools and `response_format` native --------------------------------------------------


class FlowCity(BaseModel):
    city: str
    country: str


def _flow_model(client: flow.AsyncOpenAI, kind: str) -> OpenAIChatModel | OpenAIResponsesModel:
    return (chat_model if kind == "chat" else responses_model)(client, FLOW_MODEL)


@pytest.mark.parametrize("maker", [chat_model, responses_model])
@pytest.mark.parametrize(
    ("name", "reasons"),
    [
        (FLOW_MODEL, False),
        ("openai/gpt-5-mini", True),
        ("azure/my-gpt-5-deployment", True),  # LiteLLM serves these with its GPT-5 config (`judged_model_name`)
        ("litellm_proxy/openai/gpt-5-mini", True),
        ("ragflow/chat/my-chat/gpt-4o", False),
    ],
)
def test_a_flow_name_is_profiled_by_its_model(flow_client: flow.OpenAI, maker: Any, name: str, reasons: bool) -> None:
    """pydantic-ai profiles a model by its name: 2.31 took `openai/gpt-4o` for an o-series reasoning model (its
    Responses calls then asked for `include`, which the client refuses), 2.68 `openai/gpt-5-mini` for none."""
    model = maker(flow_client, name)
    assert model.model_name == name
    assert model.profile["openai_supports_reasoning"] is reasons
    assert model.profile["openai_supports_encrypted_reasoning_content"] is reasons


GPT_6 = "gpt-6-astra"
"""Served by LiteLLM's GPT-5 config; pydantic-ai 2.68 knows its efforts (no `minimal`, which LiteLLM refuses for it
with a 400, up to `max`), 2.31 does not know it."""


@pytest.mark.parametrize("maker", [chat_model, responses_model])
@pytest.mark.parametrize("provider", ["openai", "azure"])
def test_a_flow_model_pydantic_ai_knows_keeps_its_own_profile(
    flow_client: flow.OpenAI, maker: Any, provider: str
) -> None:
    """The judged name `gpt-5` stands in for a model pydantic-ai cannot know; where it knows the model part as a
    reasoning model, its own profile is the better one (judged as `gpt-5`, GPT-6 Astra was offered `minimal`)."""
    profile = maker(flow_client, f"{provider}/{GPT_6}").profile
    own = OpenAIProvider.model_profile(GPT_6)
    expected = own if own["openai_supports_reasoning"] else OpenAIProvider.model_profile("gpt-5")  # 2.31: GPT-5's
    assert profile["openai_supports_reasoning"] is True  # no temperature, which LiteLLM would refuse
    assert profile.get("openai_reasoning_efforts") == expected.get("openai_reasoning_efforts")
    assert profile["openai_supports_minimal_reasoning_effort"] is expected["openai_supports_minimal_reasoning_effort"]


async def test_no_temperature_reaches_a_flow_model_profiled_as_reasoning(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """LiteLLM's GPT-5 config answers a temperature but 1 with a 400; pydantic-ai drops it for a model its profile
    says reasons (above: the names LiteLLM serves as GPT-5; the local Flow gateway serves this one)."""
    agent = Agent(chat_model(async_flow_client, "openai/gpt-5-mini"), model_settings={"temperature": 0.2})
    with pytest.warns(UserWarning, match=r"\['temperature'\] are not supported when reasoning is enabled"):
        assert (await agent.run("Hello")).output == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert (call.json["model"], "temperature" in call.json) == ("openai/gpt-5-mini", False)


@pytest.mark.parametrize("kind", ["chat", "responses"])
async def test_a_tool_on_flow(async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, kind: str) -> None:
    agent = Agent(_flow_model(async_flow_client, kind))
    ran: list[str] = []

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    result = await agent.run("What is the weather in Paris?")
    assert ran == ["example"]
    assert result.output == "The tool said: 21 C and sunny in example"
    assert (result.usage.requests, result.usage.tool_calls, result.usage.output_tokens) == (2, 1, 2 + 9)
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert (first["model"], first["tools"][0]["function"]["name"]) == (FLOW_MODEL, "get_weather")
    assert second["messages"][-1]["role"] == "tool"


@pytest.mark.parametrize("kind", ["chat", "responses"])
@pytest.mark.parametrize(
    ("output", "field"),
    [(FlowCity, "tools"), (NativeOutput(FlowCity), "response_format")],
    ids=["tool-output", "native-output"],
)
async def test_structured_output_on_flow(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, kind: str, output: object, field: str
) -> None:
    agent = Agent(_flow_model(async_flow_client, kind), output_type=output)  # type: ignore[call-overload]
    result = await agent.run("Where is the Eiffel tower?")
    assert result.output == FlowCity(city="example", country="example")
    [call] = flow_chat_calls(flow_gateway)
    assert call.json[field] is not None  # the schema as the field itself, not by prompt
    assert "country" in str(call.json[field])


@pytest.mark.parametrize("kind", ["chat", "responses"])
async def test_a_streamed_run_on_flow(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, kind: str
) -> None:
    async with Agent(_flow_model(async_flow_client, kind)).run_stream("Hello") as run:
        deltas = [delta async for delta in run.stream_text(delta=True, debounce_by=None)]
    assert "".join(deltas) == DEFAULT_REPLY
    assert len(deltas) > 1
    usage = run.usage() if inspect.ismethod(run.usage) else run.usage  # a method in older pydantic-ai
    assert usage.output_tokens == 6
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["stream"] is True


@pytest.mark.parametrize("maker", [chat_model, responses_model])
async def test_the_default_model_on_flow_is_a_flow_name(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, maker: Any
) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    model = maker(async_flow_client)
    assert model.model_name == FLOW_DEFAULT_MODEL
    result = await Agent(model).run("Hello")
    assert result.output == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
