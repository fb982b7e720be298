"""CrewAI with `integrations.crewai.llm` and `.memory`, live against the local gateway (own venv: openai 2.x)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import openai
import pytest
from crewai import LLM, Agent, Crew, Process, Task
from crewai.memory.unified_memory import Memory
from crewai.tools import tool
from pydantic import BaseModel

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.crewai import llm, memory
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, chat_calls, flow_chat_calls


@pytest.fixture(autouse=True)
def _storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CrewAI keeps task outputs and memories under its storage directory: one per test."""
    monkeypatch.setenv("CREWAI_STORAGE_DIR", str(tmp_path))


def embed(texts: Sequence[str]) -> list[list[float]]:
    """A deterministic stand-in for a local embedding model: the tests need vectors, not meaning."""
    return [[byte / 255 for byte in hashlib.sha256(text.lower().encode()).digest()[:16]] for text in texts]


def crew(agent_llm: object, *tools: object, **options: object) -> Crew:
    agent = Agent(role="Assistant", goal="Answer", backstory="Helpful", llm=agent_llm, tools=list(tools))
    task = Task(description="What is the weather in Paris?", expected_output="The weather", agent=agent)
    return Crew(agents=[agent], tasks=[task], **options)


def test_call_answers_through_the_gateway(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert llm(client, temperature=0.2).call("Hello") == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert (call.json["model"], call.json["temperature"]) == ("gpt-4o-mini", 0.2)
    assert gateway.calls.to("/v1/responses/input_tokens") == []


def test_agent_runs_the_tool_and_answers_with_its_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    @tool("get_weather")
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    output = crew(llm(client), get_weather).kickoff()
    assert ran == ["Paris"]
    assert output.raw == "Tool results: get_weather: 21 C and sunny in Paris"
    first, second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]


async def test_async_kickoff(client: og.OpenAI, gateway: LocalGateway) -> None:
    output = await crew(llm(client)).kickoff_async()
    assert output.raw == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1


def test_memory_analyses_through_the_gateway_and_embeds_locally(
    client: og.OpenAI, gateway: LocalGateway, tmp_path: Path
) -> None:
    shared = memory(llm(client), embedder=embed, storage=str(tmp_path / "memory"))
    shared.remember("The office wifi password is swordfish")
    [match] = shared.recall("wifi password")
    assert match.record.content == "The office wifi password is swordfish"
    analysis = chat_calls(gateway)
    assert analysis, "the memory's analysis goes through the gateway LLM"
    assert all("response_format" not in call.json for call in analysis)  # served by prompt
    assert gateway.calls.to("/v1/embeddings") == []


def test_a_crew_with_the_gateway_memory(client: og.OpenAI, tmp_path: Path) -> None:
    gateway_llm = llm(client)
    output = crew(gateway_llm, memory=memory(gateway_llm, embedder=embed, storage=str(tmp_path / "m"))).kickoff()
    # The local model calls each tool once: the agent's memory tools ran, through the gateway LLM.
    assert output.raw.startswith("Tool results: search_memory: No relevant memories found.; save_to_memory: Saved")


def test_memory_needs_an_embedder(client: og.OpenAI) -> None:
    with pytest.raises(
        TypeError, match=r"callable from texts to vectors, got 'openai': OmniGate has no /v1/embeddings"
    ):
        memory(llm(client), embedder="openai")  # type: ignore[arg-type]


def test_the_guard_catches_the_traps_the_helpers_avoid(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """`LLM("openai/...")` calls api.openai.com; so does `memory=True`'s default embedder."""
    with pytest.raises(ConnectionError, match="Failed to connect to OpenAI API"):  # CrewAI's wrapping
        LLM(model="openai/gpt-4o-mini", max_retries=0).call("Hello")
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()
    with pytest.raises(Exception):  # noqa: B017, PT011 (CrewAI's storage wraps the embedder's connection error)
        Memory(llm=LLM(model="openai/gpt-4o-mini", max_retries=0)).remember("something", scope="/", importance=0.5)
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    with pytest.raises(TypeError, match=r"Expected an omnigate_openai\.OpenAI, got a plain openai\.OpenAI"):
        llm(openai.OpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]



# --- structured task output, a sequential crew, structured calls --------------------------------------


class City(BaseModel):
    city: str
    country: str


PARIS = City(city="Paris", country="France")


def test_a_task_with_pydantic_output(client: og.OpenAI, gateway: LocalGateway) -> None:
    agent = Agent(role="Geographer", goal="Locate landmarks", backstory="Knows maps", llm=llm(client))
    task = Task(description="Where is the Eiffel tower?", expected_output="Its city", agent=agent, output_pydantic=City)
    gateway.model.script(PARIS.model_dump_json())
    assert Crew(agents=[agent], tasks=[task]).kickoff().pydantic == PARIS
    assert all("response_format" not in call.json for call in chat_calls(gateway))


def test_a_sequential_crew_hands_the_first_tasks_output_on(client: og.OpenAI, gateway: LocalGateway) -> None:
    researcher = Agent(role="Researcher", goal="Research", backstory="Curious", llm=llm(client))
    writer = Agent(role="Writer", goal="Write", backstory="Clear", llm=llm(client))
    research = Task(description="Research AI agents", expected_output="Notes", agent=researcher)
    report = Task(description="Write a report", expected_output="A report", agent=writer, context=[research])
    gateway.model.script("Notes on agents.", "The report.")
    output = Crew(agents=[researcher, writer], tasks=[research, report], process=Process.sequential).kickoff()
    assert output.raw == "The report."
    assert "Notes on agents." in str(chat_calls(gateway)[1].json["messages"])


def test_structured_calls_of_the_llm_and_of_an_agent(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(PARIS.model_dump_json(), PARIS.model_dump_json())
    assert "Paris" in str(llm(client, response_format=City).call("Where is the Eiffel tower?"))
    agent = Agent(role="Geographer", goal="Locate landmarks", backstory="Knows maps", llm=llm(client))
    assert agent.kickoff("Where is the Eiffel tower?", response_format=City).pydantic == PARIS


def test_the_default_model_on_flow_is_a_flow_name(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    assert llm(flow_client).call("Hello") == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
