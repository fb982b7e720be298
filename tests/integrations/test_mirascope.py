"""Mirascope 2 with `integrations.mirascope.register`: its default `openai/...` model ids, live."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from mirascope import llm
from pydantic import BaseModel

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai.integrations.mirascope import register
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway, ToolCall

from .conftest import chat_calls


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    llm.reset_provider_registry()
    yield
    llm.reset_provider_registry()


def test_the_default_model_id_calls_chat_completions(client: og.OpenAI, gateway: LocalGateway) -> None:
    register(client)

    @llm.call("openai/gpt-4o-mini")
    def greet(name: str) -> str:
        return f"Say hello to {name}"

    response = greet("Ada")
    assert response.text() == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert call.json["model"] == "gpt-4o-mini"
    assert gateway.calls.to("/v1/responses") == []


async def test_async_and_stream(client: og.OpenAI, gateway: LocalGateway) -> None:
    register(client)

    @llm.call("openai/gpt-4o-mini")
    async def greet() -> str:
        return "Hello"

    assert (await greet()).text() == DEFAULT_REPLY

    @llm.call("openai/gpt-4o-mini")
    def stream() -> str:
        return "Hello"

    response = stream.stream()
    assert "".join(response.text_stream()) == DEFAULT_REPLY + "\n"  # Mirascope ends each streamed text part so
    assert [c.json.get("stream", False) for c in chat_calls(gateway)] == [False, True]


def test_the_guard_catches_the_trap_the_helper_avoids(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """Unregistered, `openai/...` builds its own client from `OPENAI_API_KEY` and calls api.openai.com."""

    @llm.call("openai/gpt-4o-mini")
    def greet() -> str:
        return "Hello"

    with pytest.raises(Exception) as caught:  # noqa: PT011 (Mirascope wraps the connection error in its own)
        greet()
    assert isinstance(caught.value, openai.APIConnectionError) or isinstance(
        caught.value.__cause__, openai.APIConnectionError
    )
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


def test_a_tool_runs_and_the_answer_uses_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    register(client)
    ran: list[str] = []

    @llm.tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    @llm.call("openai/gpt-4o-mini", tools=[get_weather])
    def ask(question: str) -> str:
        return question

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    response = ask("What is the weather in Paris?")
    while response.tool_calls:
        response = response.resume(response.execute_tools())
    assert ran == ["Paris"]
    assert response.text() == "Tool results: get_weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


class City(BaseModel):
    city: str
    country: str


def test_structured_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    register(client)

    @llm.call("openai/gpt-4o-mini", format=City)
    def locate(landmark: str) -> str:
        return f"Where is the {landmark}?"

    gateway.model.script({"city": "Paris", "country": "France"})
    assert locate("Eiffel tower").parse() == City(city="Paris", country="France")
    sent = chat_calls(gateway)[0].json
    assert "tools" not in sent
    assert "response_format" not in sent


@llm.tool
def get_weather(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


def test_a_streamed_call_with_a_tool(client: og.OpenAI, gateway: LocalGateway) -> None:
    register(client)

    @llm.call("openai/gpt-4o-mini", tools=[get_weather])
    def ask(question: str) -> str:
        return question

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    response = ask.stream("What is the weather in Paris?")
    for _ in response.chunk_stream():
        pass
    while response.tool_calls:
        response = response.resume(response.execute_tools())
        for _ in response.chunk_stream():
            pass
    assert response.text() == "It is sunny in Paris."
    assert [call.json["stream"] for call in chat_calls(gateway)] == [True, True]


def test_a_streamed_structured_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    register(client)

    @llm.call("openai/gpt-4o-mini", format=City)
    def locate(landmark: str) -> str:
        return f"Where is the {landmark}?"

    gateway.model.script({"city": "Paris", "country": "France"})
    response = locate.stream("Eiffel tower")
    for _ in response.chunk_stream():
        pass
    assert response.parse() == City(city="Paris", country="France")


def test_an_explicit_responses_model_id(client: og.OpenAI, gateway: LocalGateway) -> None:
    """`:responses` asks for the Responses API: served by the client over chat completions."""
    register(client)

    @llm.call("openai/gpt-4o-mini:responses", tools=[get_weather])
    def ask(question: str) -> str:
        return question

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    response = ask("What is the weather in Paris?")
    while response.tool_calls:
        response = response.resume(response.execute_tools())
    assert response.text() == "It is sunny in Paris."
    assert not gateway.calls.to("/v1/responses")


def test_the_default_model_id_under_patch_openai(patched: LocalGateway) -> None:
    """Unregistered, Mirascope builds its own clients (on the Responses API): `patch_openai()` makes them ours."""

    @llm.call("openai/gpt-4o-mini", format=City)
    def locate(landmark: str) -> str:
        return f"Where is the {landmark}?"

    patched.model.script({"city": "Paris", "country": "France"})
    assert locate("Eiffel tower").parse() == City(city="Paris", country="France")
    assert len(chat_calls(patched)) == 1
