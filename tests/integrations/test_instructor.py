"""instructor, wired by `integrations.instructor.from_client`, live against the local gateway (openai 2.x)."""

from __future__ import annotations

import json
from typing import Any

import instructor
import pytest
from pydantic import BaseModel, field_validator

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.integrations.instructor import from_client
from omnigate_openai.testing import LocalFlowGateway, LocalGateway, ModelRequest, ToolCall

from .conftest import FLOW_MODEL, USER_ID, chat_calls, flow_chat_calls

ANSWER = '```json\n{"city": "Paris", "country": "France"}\n```'
QUESTION = [{"role": "user", "content": "Where is the Eiffel tower?"}]
MODES = [instructor.Mode.TOOLS, instructor.Mode.JSON, instructor.Mode.JSON_SCHEMA, instructor.Mode.MD_JSON]
PARIS = {"city": "Paris", "country": "France"}


class City(BaseModel):
    city: str
    country: str


REQUEST: dict[str, Any] = {"model": "gpt-4o-mini", "response_model": City, "messages": QUESTION, "max_retries": 0}


def _script(gateway: LocalGateway, mode: instructor.Mode) -> None:
    """What a model answers in each mode: a call of the tool offered (`City`, `PartialCity`), or the JSON in a fence."""

    def call_the_tool(request: ModelRequest) -> ToolCall:
        return ToolCall(request.tools[0].name, PARIS)

    gateway.model.script(call_the_tool if mode is instructor.Mode.TOOLS else ANSWER)


def _nothing_dropped(gateway: LocalGateway) -> None:
    for call in chat_calls(gateway):
        assert not {"tools", "tool_choice", "response_format"} & call.json.keys()


@pytest.mark.parametrize("mode", MODES, ids=str)
def test_structured_result(client: og.OpenAI, gateway: LocalGateway, mode: instructor.Mode) -> None:
    _script(gateway, mode)
    city = from_client(client, mode=mode).chat.completions.create(**REQUEST)
    assert city.model_dump() == PARIS
    assert len(chat_calls(gateway)) == 1
    _nothing_dropped(gateway)


@pytest.mark.parametrize("mode", MODES, ids=str)
async def test_structured_result_async(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, mode: instructor.Mode
) -> None:
    _script(gateway, mode)
    city = await from_client(async_client, mode=mode).chat.completions.create(**REQUEST)
    assert city.model_dump() == PARIS
    _nothing_dropped(gateway)


@pytest.mark.parametrize("mode", MODES, ids=str)
def test_partial_streaming(client: og.OpenAI, gateway: LocalGateway, mode: instructor.Mode) -> None:
    _script(gateway, mode)
    partials = list(from_client(client, mode=mode).chat.completions.create_partial(**REQUEST))
    assert partials[-1].model_dump() == PARIS
    if mode is not instructor.Mode.TOOLS:  # a JSON answer streams piece by piece; a tool call's arguments at once
        assert len(partials) > 2
    assert chat_calls(gateway)[0].json["stream"] is True
    _nothing_dropped(gateway)


@pytest.mark.parametrize("mode", MODES, ids=str)
async def test_partial_streaming_async(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, mode: instructor.Mode
) -> None:
    _script(gateway, mode)
    stream = from_client(async_client, mode=mode).chat.completions.create_partial(**REQUEST)
    partials = [partial async for partial in stream]
    assert partials[-1].model_dump() == PARIS
    assert chat_calls(gateway)[0].json["stream"] is True


@pytest.mark.usefixtures("gateway")
def test_instructors_default_mode_with_the_default_model(client: og.OpenAI) -> None:
    """No script: the local model calls the forced `City` tool with schema-valid values."""
    assert from_client(client).chat.completions.create(**REQUEST).model_dump() == {"city": "a", "country": "a"}


def test_a_broken_answer_is_re_asked_by_the_client_before_instructor_sees_it(
    client: og.OpenAI, gateway: LocalGateway
) -> None:
    gateway.model.script(ToolCall("City", {"city": "Paris"}), ToolCall("City", PARIS))
    assert instructor.from_openai(client).chat.completions.create(**REQUEST).model_dump() == PARIS
    assert len(chat_calls(gateway)) == 2


@pytest.mark.parametrize("mode", [instructor.Mode.TOOLS, instructor.Mode.JSON, instructor.Mode.JSON_SCHEMA], ids=str)
def test_a_strict_client_refuses_the_modes_it_cannot_serve(gateway: LocalGateway, mode: instructor.Mode) -> None:
    with (
        og.OpenAI(base_url=gateway.base_url, api_key=gateway.api_key, user_id=USER_ID, emulate_tools=False) as strict,
        pytest.raises(og.UnsupportedFeatureError, match=r"emulate_tools=False; use Mode\.MD_JSON"),
    ):
        from_client(strict, mode=mode)
    assert chat_calls(gateway) == []


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    import openai

    with pytest.raises(TypeError, match=r"got a plain openai\.OpenAI"):
        from_client(openai.OpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]


# --- the Responses mode, instructor's other calls, and `from_provider` ----------------------------------


def _call_the_tool(request: ModelRequest) -> ToolCall:
    return ToolCall(request.tools[0].name, PARIS)


def test_the_responses_mode(client: og.OpenAI, gateway: LocalGateway) -> None:
    """`Mode.RESPONSES_TOOLS` calls `client.responses.create` with the model as a forced tool."""
    gateway.model.script(_call_the_tool, _call_the_tool)
    structured = from_client(client, mode=instructor.Mode.RESPONSES_TOOLS)
    assert structured.create(**REQUEST).model_dump() == PARIS
    assert list(structured.create_partial(**REQUEST))[-1].model_dump() == PARIS
    assert not gateway.calls.to("/v1/responses")
    _nothing_dropped(gateway)


async def test_the_responses_mode_async(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(_call_the_tool)
    city = await from_client(async_client, mode=instructor.Mode.RESPONSES_TOOLS).create(**REQUEST)
    assert city.model_dump() == PARIS


def test_create_with_completion(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(_call_the_tool)
    city, completion = from_client(client).chat.completions.create_with_completion(**REQUEST)
    assert city.model_dump() == PARIS
    assert completion.usage is not None
    assert completion.usage.total_tokens > 0


def test_create_iterable(client: og.OpenAI, gateway: LocalGateway) -> None:
    """Instructor asks for a list wrapper as one tool (`tasks`)."""
    rome = {"city": "Rome", "country": "Italy"}
    gateway.model.script(lambda request: ToolCall(request.tools[0].name, {"tasks": [PARIS, rome]}))
    cities = list(from_client(client).chat.completions.create_iterable(**REQUEST))
    assert [city.model_dump() for city in cities] == [PARIS, rome]


def test_a_validation_error_is_retried_by_instructor(client: og.OpenAI, gateway: LocalGateway) -> None:
    class Shouted(BaseModel):
        word: str

        @field_validator("word")
        @classmethod
        def upper(cls, word: str) -> str:
            if word != word.upper():
                raise ValueError("the word must be in capitals")
            return word

    gateway.model.script(ToolCall("Shouted", {"word": "paris"}), ToolCall("Shouted", {"word": "PARIS"}))
    request = {**REQUEST, "response_model": Shouted, "max_retries": 1}
    assert from_client(client).chat.completions.create(**request).word == "PARIS"
    assert "the word must be in capitals" in str(chat_calls(gateway)[1].json["messages"])


def test_from_provider_under_patch_openai(patched: LocalGateway) -> None:
    """instructor's quickstart: `from_provider("openai/...")` builds its own `openai.OpenAI()`."""
    patched.model.script(_call_the_tool)
    structured = instructor.from_provider("openai/gpt-4o-mini")
    city = structured.create(response_model=City, messages=QUESTION, max_retries=0)
    assert city.model_dump() == PARIS
    assert len(chat_calls(patched)) == 1


# --- the Flow gateway: `tools` and `response_format` are native there, so every mode is sent as it is ---

FLOW_REQUEST: dict[str, Any] = {**REQUEST, "model": FLOW_MODEL}
EXAMPLE = {"city": "example", "country": "example"}
"""What the local Flow gateway's model fills a `City` schema with."""
FLOW_MODES = [None, instructor.Mode.TOOLS, instructor.Mode.JSON_SCHEMA]
SENT_AS = {None: "tools", instructor.Mode.TOOLS: "tools", instructor.Mode.JSON_SCHEMA: "response_format"}


@pytest.mark.parametrize("mode", FLOW_MODES, ids=str)
def test_each_mode_on_flow_is_sent_natively(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway, mode: instructor.Mode | None
) -> None:
    """`from_client` refused every mode but MD_JSON on a Flow client, saying it was built with emulate_tools=False."""
    city = from_client(flow_client, mode=mode).chat.completions.create(**FLOW_REQUEST)
    assert city.model_dump() == EXAMPLE
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_MODEL
    assert call.json[SENT_AS[mode]] is not None  # the field itself, not a prompt
    assert "City" in json.dumps(call.json[SENT_AS[mode]])


@pytest.mark.parametrize("mode", FLOW_MODES, ids=str)
async def test_each_mode_on_flow_async(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, mode: instructor.Mode | None
) -> None:
    city = await from_client(async_flow_client, mode=mode).chat.completions.create(**FLOW_REQUEST)
    assert city.model_dump() == EXAMPLE
    assert SENT_AS[mode] in flow_chat_calls(flow_gateway)[0].json


def test_partial_streaming_and_the_responses_mode_on_flow(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway
) -> None:
    partials = list(from_client(flow_client).chat.completions.create_partial(**FLOW_REQUEST))
    assert partials[-1].model_dump() == EXAMPLE
    structured = from_client(flow_client, mode=instructor.Mode.RESPONSES_TOOLS)
    assert structured.create(**FLOW_REQUEST).model_dump() == EXAMPLE
    streamed, served = flow_chat_calls(flow_gateway)
    assert streamed.json["stream"] is True
    assert served.json["tools"][0]["function"]["name"] == "City"  # the Responses call, over chat, tools native
