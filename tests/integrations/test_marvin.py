"""Marvin's `cast` and `extract` on `integrations.pydantic_ai.chat_model`, live (own venv: openai 3.x)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Marvin opens a SQLite database under its home at import: keep it out of the user's home.
_HOME = tempfile.TemporaryDirectory(prefix="marvin-home-")
os.environ["MARVIN_HOME_PATH"] = _HOME.name

import marvin  # noqa: E402
from marvin.defaults import override_defaults  # noqa: E402
from pydantic import BaseModel  # noqa: E402

import omnigate_openai as og  # noqa: E402
from _socket_guard import SocketGuard  # noqa: E402
from omnigate_openai.integrations.pydantic_ai import chat_model  # noqa: E402
from omnigate_openai.testing import LocalGateway, ModelRequest, ToolCall  # noqa: E402

from .conftest import chat_calls  # noqa: E402


def mark_successful(result: object) -> object:
    """A scripted reply: call the tool Marvin offers to end its task, with `result`."""

    def reply(request: ModelRequest) -> ToolCall:
        [done] = [tool.name for tool in request.tools if tool.name.startswith("MarkTaskSuccessful")]
        return ToolCall(done, {"result": result})

    return reply


@pytest.fixture
def gateway_model(async_client: og.AsyncOpenAI) -> Iterator[None]:
    """What the docs say to do: make the gateway model Marvin's default."""
    with override_defaults(model=chat_model(async_client)):
        yield


@pytest.mark.usefixtures("gateway_model")
def test_cast(gateway: LocalGateway) -> None:
    gateway.model.script(mark_successful(21))
    assert marvin.cast("twenty one", int) == 21
    [call] = chat_calls(gateway)
    assert "tools" not in call.json  # described in the prompt: the gateway drops `tools`
    assert "twenty one" in str(call.json["messages"])


class Pet(BaseModel):
    name: str
    kind: str


@pytest.mark.usefixtures("gateway_model")
def test_extract(gateway: LocalGateway) -> None:
    gateway.model.script(mark_successful([{"name": "Rex", "kind": "dog"}, {"name": "Tom", "kind": "cat"}]))
    assert marvin.extract("Rex the dog chased Tom the cat", Pet) == [
        Pet(name="Rex", kind="dog"),
        Pet(name="Tom", kind="cat"),
    ]
    assert len(chat_calls(gateway)) == 1


@pytest.mark.usefixtures("gateway_model")
async def test_cast_async_with_the_default_model(gateway: LocalGateway) -> None:
    """No script: the local model calls the tool with a schema-valid result, which Marvin returns typed."""
    assert isinstance(await marvin.cast_async("twenty one", int), int)
    assert len(chat_calls(gateway)) == 1


def test_the_guard_catches_the_trap_the_wiring_avoids(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """Marvin's default model (`openai:...`) builds its own client, for api.openai.com."""
    with pytest.raises(Exception):  # noqa: B017, PT011 (pydantic-ai wraps the connection error)
        marvin.cast("twenty one", int)
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


@pytest.mark.usefixtures("gateway_model")
def test_run_a_task(gateway: LocalGateway) -> None:
    gateway.model.script(mark_successful("A haiku about rain."))
    assert marvin.run("Write a haiku about rain") == "A haiku about rain."
    assert len(chat_calls(gateway)) == 1


@pytest.mark.usefixtures("gateway_model")
def test_classify_and_generate(gateway: LocalGateway) -> None:
    gateway.model.script(mark_successful(0))  # Marvin asks for the index of the label
    assert marvin.classify("I love this!", ["positive", "negative"]) == "positive"
    pets = [Pet(name="Rex", kind="dog"), Pet(name="Tom", kind="cat")]
    gateway.model.script(mark_successful([pet.model_dump() for pet in pets]))
    assert marvin.generate(Pet, n=2, instructions="Two pets") == pets
    assert len(chat_calls(gateway)) == 2


def test_an_agent_with_a_tool(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    agent = marvin.Agent(name="Weatherman", model=chat_model(async_client), tools=[get_weather])
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), mark_successful("Sunny in Paris."))
    assert agent.run("What is the weather in Paris?") == "Sunny in Paris."
    assert ran == ["Paris"]
