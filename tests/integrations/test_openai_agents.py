"""openai-agents, wired by `integrations.openai_agents`, live against the local gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import agents
import pytest
from agents import Agent, ModelSettings, RunConfig, Runner, SQLiteSession
from agents.models.default_models import get_default_model
from agents.models.openai_provider import OpenAIProvider
from agents.tracing import get_trace_provider
from agents.tracing.processors import default_exporter
from agents.tracing.traces import NoOpTrace
from openai.types.responses import ResponseTextDeltaEvent
from openai.types.shared import Reasoning
from pydantic import BaseModel

import omnigate_openai as og
from _fakes import fake_key
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.openai_agents import chat_model, install, model_provider
from omnigate_openai.integrations.patch import patch_openai, unpatch_openai
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway, ToolCall

from .conftest import FLOW_DEFAULT_MODEL, FLOW_MODEL, USER_ID, chat_calls, flow_chat_calls

pytestmark = pytest.mark.usefixtures("agents_defaults_restored")


async def test_one_turn_run_through_chat_completions(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    install(async_client)
    result = await Runner.run(Agent(name="greeter", instructions="Be brief.", model="gpt-4o-mini"), "Hello")
    assert result.final_output == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert call.json["messages"][0] == {"role": "system", "content": "Be brief."}
    assert not gateway.calls.to("/v1/responses")
    get_trace_provider().force_flush()  # a trace export would reach the guard now, not at exit


async def test_install_with_the_default_model_as_the_quickstart_writes_it(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    """No model named: openai-agents' default model and its settings (`reasoning.effort="none"`), on chat."""
    install(async_client)
    result = await Runner.run(Agent(name="Assistant", instructions="You are a helpful assistant"), "Hello")
    assert result.final_output == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert call.json["model"] == get_default_model()
    assert call.json.get("reasoning_effort") in (None, "none")  # asks for nothing the gateway drops


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_a_reasoning_effort_the_gateway_would_drop_is_refused_on_either_api(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, api: str
) -> None:
    settings = ModelSettings(reasoning=Reasoning(effort="high"))
    if api == "chat":
        agent = Agent(name="thinker", model=chat_model(async_client), model_settings=settings)
        run_config = RunConfig(tracing_disabled=True)
    else:
        agent, run_config = Agent(name="thinker", model_settings=settings), _responses_default(async_client)
    with pytest.raises(og.UnsupportedFeatureError, match="reasoning") as caught:
        await Runner.run(agent, "Hello", run_config=run_config)
    assert caught.value.field == {"chat": "reasoning_effort", "responses": "reasoning"}[api]
    assert chat_calls(gateway) == []


async def test_the_default_models_verbosity_is_served_alike_on_either_api(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    """openai-agents' default model settings send `verbosity="low"`: said in the system message on either API."""
    agent = Agent(name="Assistant", instructions="You are a helpful assistant")
    await Runner.run(agent, "Hello", run_config=_responses_default(async_client))
    install(async_client)
    await Runner.run(agent, "Hello")
    over_responses, over_chat = (call.json for call in chat_calls(gateway))
    assert "verbosity" not in over_responses
    assert "verbosity" not in over_chat  # the gateway would drop it
    assert over_chat["messages"] == over_responses["messages"]


def test_tracing_never_gets_the_gateway_key(client: og.OpenAI, gateway: LocalGateway) -> None:
    install(client)  # a sync client gets an async twin
    result = Runner.run_sync(Agent(name="greeter", model="gpt-4o-mini"), "Hello")
    assert result.final_output == DEFAULT_REPLY
    get_trace_provider().force_flush()
    assert default_exporter().api_key != gateway.api_key
    assert len(chat_calls(gateway)) == 1


def test_the_sdks_own_default_would_export_only_the_placeholder(async_client: og.AsyncOpenAI) -> None:
    agents.set_default_openai_client(async_client)  # use_for_tracing=True: exports with `client.api_key`
    assert default_exporter().api_key == "omnigate-key-not-exposed"


async def test_per_agent_model_without_global_state(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    agent = Agent(name="greeter", model=chat_model(async_client, "gpt-4o-mini"))
    result = await Runner.run(agent, "Hello", run_config=RunConfig(tracing_disabled=True))
    assert result.final_output == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["model"] == "gpt-4o-mini"


async def test_streamed_run(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    install(async_client)
    run = Runner.run_streamed(Agent(name="greeter", model="gpt-4o-mini"), "Hello")
    async for _ in run.stream_events():
        pass
    assert run.final_output == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["stream"] is True


async def test_a_function_tool_runs_and_the_answer_uses_its_result(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    ran: list[str] = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    install(async_client)
    agent = Agent(name="weather", model="gpt-4o-mini", tools=[get_weather])
    result = await Runner.run(agent, "What is the weather in Paris?")
    assert ran == ["a"]
    assert result.final_output == "Tool results: get_weather: 21 C and sunny in a"
    first, _second = chat_calls(gateway)
    assert "tools" not in first.json
    assert "## get_weather" in first.json["messages"][0]["content"]


async def test_a_streamed_run_with_a_tool(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    @agents.function_tool
    def city() -> str:
        """The user's city."""
        return "Paris"

    install(async_client)
    run = Runner.run_streamed(Agent(name="tooled", model="gpt-4o-mini", tools=[city]), "Where am I?")
    async for _ in run.stream_events():
        pass
    assert run.final_output == "Tool results: city: Paris"
    assert all(call.json["stream"] is True for call in chat_calls(gateway))


async def test_a_handoff_reaches_the_other_agent(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    install(async_client)
    french = Agent(name="french", instructions="Answer in French.", model="gpt-4o-mini")
    triage = Agent(name="triage", model="gpt-4o-mini", handoffs=[french])
    gateway.model.script(ToolCall("transfer_to_french"), "Bonjour !")
    result = await Runner.run(triage, "Bonjour")
    assert result.last_agent is french
    assert result.final_output == "Bonjour !"
    assert chat_calls(gateway)[1].json["messages"][0]["content"].startswith("Answer in French.")


class City(BaseModel):
    city: str
    country: str


async def test_output_type(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    install(async_client)
    gateway.model.script('Here: {"city": "Paris", "country": "France"}')
    result = await Runner.run(Agent(name="geo", model="gpt-4o-mini", output_type=City), "Where is the Eiffel tower?")
    assert result.final_output == City(city="Paris", country="France")
    assert "response_format" not in chat_calls(gateway)[0].json


async def test_a_strict_client_refuses_tools_before_sending(gateway: LocalGateway) -> None:
    @agents.function_tool
    def city() -> str:
        """The user's city."""
        return "Paris"

    async with og.AsyncOpenAI(
        base_url=gateway.base_url, api_key=gateway.api_key, user_id=USER_ID, emulate_tools=False
    ) as strict:
        install(strict)
        with pytest.raises(og.UnsupportedFeatureError, match="`tools`") as caught:
            await Runner.run(Agent(name="tooled", model="gpt-4o-mini", tools=[city]), "Where am I?")
    assert caught.value.field == "tools"
    assert chat_calls(gateway) == []


# --- the default Responses path: no `install`, no model named -----------------------------------------


def _responses_default(client: og.AsyncOpenAI) -> RunConfig:
    """openai-agents as it comes: its default model on its default API (Responses), only the client given."""
    return RunConfig(model_provider=OpenAIProvider(openai_client=client), tracing_disabled=True)


async def test_the_default_model_runs_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    agent = Agent(name="greeter", instructions="Be brief.")
    result = await Runner.run(agent, "Hello", run_config=_responses_default(async_client))
    assert result.final_output == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert call.json["model"] == get_default_model()
    assert call.json["messages"][0]["content"].startswith("Be brief.")
    assert not gateway.calls.to("/v1/responses")
    assert result.raw_responses[0].usage.output_tokens == 8


async def test_the_default_model_calls_a_function_tool(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is 21 C and sunny in Paris.")
    agent = Agent(name="weather", tools=[get_weather])
    result = await Runner.run(agent, "What is the weather in Paris?", run_config=_responses_default(async_client))
    assert ran == ["Paris"]
    assert result.final_output == "It is 21 C and sunny in Paris."
    first, second = chat_calls(gateway)
    assert "## get_weather" in first.json["messages"][0]["content"]
    assert "21 C and sunny in Paris" in second.json["messages"][-1]["content"]  # the tool's result went back


async def test_a_streamed_run_with_a_tool_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    @agents.function_tool
    def city() -> str:
        """The user's city."""
        return "Paris"

    gateway.model.script(ToolCall("city"), "You are in Paris.")
    run = Runner.run_streamed(
        Agent(name="tooled", tools=[city]), "Where am I?", run_config=_responses_default(async_client)
    )
    kinds = [event.data.type async for event in run.stream_events() if event.type == "raw_response_event"]
    assert run.final_output == "You are in Paris."
    assert "response.function_call_arguments.done" in kinds
    assert kinds.count("response.completed") == 2
    assert all(call.json["stream"] is True for call in chat_calls(gateway))


async def test_output_type_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    """The default model sends `text.format` (a strict JSON schema): served by prompt, then validated."""
    gateway.model.script({"city": "Paris", "country": "France"})
    agent = Agent(name="geo", output_type=City)
    result = await Runner.run(agent, "Where is the Eiffel tower?", run_config=_responses_default(async_client))
    assert result.final_output == City(city="Paris", country="France")
    assert "response_format" not in chat_calls(gateway)[0].json


async def test_a_streamed_run_with_a_tool_and_an_output_type_over_responses(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    @agents.function_tool
    def city() -> str:
        """The user's city."""
        return "Paris"

    gateway.model.script(ToolCall("city"), {"city": "Paris", "country": "France"})
    agent = Agent(name="geo", tools=[city], output_type=City)
    run = Runner.run_streamed(agent, "Where am I?", run_config=_responses_default(async_client))
    async for _ in run.stream_events():
        pass
    assert run.final_output == City(city="Paris", country="France")


async def test_streamed_text_deltas_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    run = Runner.run_streamed(Agent(name="greeter"), "Hello", run_config=_responses_default(async_client))
    deltas = [
        event.data.delta
        async for event in run.stream_events()
        if event.type == "raw_response_event" and isinstance(event.data, ResponseTextDeltaEvent)
    ]
    assert "".join(deltas) == DEFAULT_REPLY == run.final_output
    assert chat_calls(gateway)[0].json["stream"] is True


async def test_a_handoff_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    french = Agent(name="french", instructions="Answer in French.")
    triage = Agent(name="triage", instructions="Hand off to the right agent.", handoffs=[french])
    gateway.model.script(ToolCall("transfer_to_french"), "Bonjour !")
    result = await Runner.run(triage, "Bonjour", run_config=_responses_default(async_client))
    assert result.last_agent is french
    assert result.final_output == "Bonjour !"
    assert chat_calls(gateway)[1].json["messages"][0]["content"].startswith("Answer in French.")


async def test_an_agent_as_a_tool_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    spanish = Agent(name="spanish", instructions="Translate to Spanish.")
    tool = spanish.as_tool(tool_name="translate_to_spanish", tool_description="Translate the input to Spanish.")
    orchestrator = Agent(name="orchestrator", instructions="Use the tools.", tools=[tool])
    gateway.model.script(ToolCall("translate_to_spanish", {"input": "Hello"}), "Hola", "In Spanish: Hola")
    result = await Runner.run(orchestrator, "Say hello in Spanish", run_config=_responses_default(async_client))
    assert result.final_output == "In Spanish: Hola"
    assert len(chat_calls(gateway)) == 3


async def test_parallel_tool_calls_over_responses(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    @agents.function_tool
    def add_one(x: int) -> int:
        """Add one."""
        return x + 1

    @agents.function_tool
    def shout(text: str) -> str:
        """Upper-case a text."""
        return text.upper()

    gateway.model.script([ToolCall("add_one", {"x": 1}), ToolCall("shout", {"text": "hi"})], "Done.")
    result = await Runner.run(
        Agent(name="both", tools=[add_one, shout]), "Go", run_config=_responses_default(async_client)
    )
    assert result.final_output == "Done."
    [request] = [r for r in gateway.model.requests if r.tool_results]
    assert sorted((found.name, found.content) for found in request.tool_results) == [("add_one", "2"), ("shout", "HI")]


# --- conversations: the three ways the docs chain turns ----------------------------------------------


async def test_a_conversation_from_to_input_list(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    @agents.function_tool
    def city() -> str:
        """The user's city."""
        return "Paris"

    agent = Agent(name="assistant", instructions="Reply concisely.", tools=[city])
    gateway.model.script(ToolCall("city"), "You are in Paris.", "Still in Paris.")
    first = await Runner.run(agent, "Where am I?", run_config=_responses_default(async_client))
    follow_up = [*first.to_input_list(), {"role": "user", "content": "And now?"}]
    second = await Runner.run(agent, follow_up, run_config=_responses_default(async_client))
    assert second.final_output == "Still in Paris."
    sent = chat_calls(gateway)[-1].json["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"][-1] == "And now?"
    assert any(m["role"] == "assistant" and m["content"] == "You are in Paris." for m in sent)


async def test_a_conversation_from_the_previous_response_id(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    agent = Agent(name="assistant", instructions="Reply concisely.")
    gateway.model.script("Hello Bob.", "Your name is Bob.")
    first = await Runner.run(agent, "I'm Bob", run_config=_responses_default(async_client))
    second = await Runner.run(
        agent,
        "What is my name?",
        previous_response_id=first.last_response_id,
        run_config=_responses_default(async_client),
    )
    assert second.final_output == "Your name is Bob."
    sent = chat_calls(gateway)[-1].json["messages"]
    assert [m["content"] for m in sent[1:]] == ["I'm Bob", "Hello Bob.", "What is my name?"]


async def test_a_conversation_in_a_session(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    session = SQLiteSession("conversation")  # in memory
    agent = Agent(name="assistant", instructions="Reply concisely.")
    gateway.model.script("Hello Bob.", "Your name is Bob.")
    await Runner.run(agent, "I'm Bob", session=session, run_config=_responses_default(async_client))
    second = await Runner.run(agent, "What is my name?", session=session, run_config=_responses_default(async_client))
    assert second.final_output == "Your name is Bob."
    sent = chat_calls(gateway)[-1].json["messages"]
    assert [m["content"] for m in sent[1:]] == ["I'm Bob", "Hello Bob.", "What is my name?"]


# --- `patch_openai()`: the quickstart unchanged, its clients built by openai-agents ----------------------


async def test_the_quickstart_under_patch_openai_keeps_prompts_off_openais_tracing(
    gateway: LocalGateway, host_guard: SocketGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(default_exporter(), "max_retries", 0)  # one attempt, no backoff
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)
    try:
        result = await Runner.run(Agent(name="Assistant", instructions="You are a helpful assistant"), "Hello")
        get_trace_provider().force_flush()
    finally:
        unpatch_openai()
    assert result.final_output == DEFAULT_REPLY  # the run itself went through the gateway
    assert len(chat_calls(gateway)) == 1
    reached = [target for target in host_guard.attempts if "api.openai.com" in str(target)]
    host_guard.attempts.clear()  # seen here, so the guard reports it as this assertion
    assert reached == []


async def test_a_run_with_a_tool_under_patch_openai(patched: LocalGateway) -> None:
    """The patched quickstart with a tool: the run through the gateway, nothing to OpenAI (the host guard)."""

    @agents.function_tool
    def get_weather(city: str) -> str:
        """The weather of a city."""
        return f"21 C and sunny in {city}"

    patched.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
    agent = Agent(name="Assistant", instructions="You are a helpful assistant", tools=[get_weather])
    result = await Runner.run(agent, "What is the weather in Paris?")
    get_trace_provider().force_flush()
    assert result.final_output == "It is sunny in Paris."
    assert len(chat_calls(patched)) == 2  # the host guard fails the test on any other connection


def _traced() -> bool:
    """Whether a run now would be traced (exported): openai-agents hands out a no-op trace when tracing is off."""
    return not isinstance(get_trace_provider().create_trace("probe"), NoOpTrace)


@pytest.mark.parametrize("before", [None, True, False])
def test_unpatch_puts_back_the_tracing_setting_it_found(gateway: LocalGateway, before: bool | None) -> None:
    if before is not None:
        agents.set_tracing_disabled(before)
    found = _traced()
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url)
    assert not _traced()
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)  # again: still off
    assert not _traced()
    unpatch_openai()
    assert _traced() is found is (before is not True)
    unpatch_openai()
    assert _traced() is found


@pytest.mark.parametrize("way", ["keyword", "set_tracing_disabled"])
async def test_tracing_can_be_kept_on_under_the_patch(
    gateway: LocalGateway, host_guard: SocketGuard, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    """Either documented way: openai-agents then exports the run to OpenAI, as it does unpatched."""
    monkeypatch.setattr(default_exporter(), "max_retries", 0)
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID, agents_tracing=way == "keyword")
    try:
        if way == "set_tracing_disabled":
            agents.set_tracing_disabled(False)
        await Runner.run(Agent(name="Assistant"), "Hello")
        get_trace_provider().force_flush()
    finally:
        unpatch_openai()
    reached = [target for target in host_guard.attempts if "api.openai.com" in str(target)]
    host_guard.attempts.clear()  # expected here: the export the caller asked for
    assert reached != []
    assert len(chat_calls(gateway)) == 1


def test_patching_again_with_tracing_wanted_turns_it_back_on(gateway: LocalGateway) -> None:
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url)
    assert not _traced()
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, agents_tracing=True)
    assert _traced()
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url)
    assert not _traced()
    unpatch_openai()
    assert _traced()


_IMPORTED_AFTERWARDS = """
import sys
import omnigate_openai as og
og.patch_openai({keyword})
loaded_by_the_patch = "agents" in sys.modules
{before_import}
import agents
from agents.tracing import get_trace_provider
from agents.tracing.traces import NoOpTrace

def traced():
    return not isinstance(get_trace_provider().create_trace("probe"), NoOpTrace)

while_patched = traced()
og.unpatch_openai()
print(loaded_by_the_patch, while_patched, traced())
"""


@pytest.mark.parametrize(
    ("keyword", "before_import", "expected"),
    [
        ("", "", "False False True"),  # off from its import on, back on once unpatched
        ("agents_tracing=True", "", "False True True"),
        ("", "og.unpatch_openai()", "False True True"),  # unpatched before the import: the hook does nothing
    ],
)
def test_openai_agents_imported_after_the_patch(keyword: str, before_import: str, expected: str) -> None:
    env = {
        **os.environ,
        "OMNIGATE_API_KEY": fake_key("llmg_", "imported-afterwards"),
        "OMNIGATE_BASE_URL": "http://127.0.0.1:9/v1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("OPENAI_AGENTS_DISABLE_TRACING", None)
    script = _IMPORTED_AFTERWARDS.format(keyword=keyword, before_import=before_import)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


_PATCHED_DURING_ANOTHER_THREADS_IMPORT = """
import sys, threading
import omnigate_openai as og
og.patch_openai()
og.unpatch_openai()  # a hook for openai-agents' import stays registered, waiting
failed = []

def importer():
    try:
        import agents  # noqa: F401
    except Exception as exc:
        failed.append(repr(exc))

thread = threading.Thread(target=importer)
thread.start()
while "agents" not in sys.modules:  # its import is under way in the other thread
    pass
og.patch_openai()
thread.join()
from agents.tracing import get_trace_provider
from agents.tracing.traces import NoOpTrace
print(failed or "imported", not isinstance(get_trace_provider().create_trace("probe"), NoOpTrace))
"""


def test_patching_while_another_thread_imports_openai_agents() -> None:
    """The patch found openai-agents in `sys.modules` half-imported and imported its `tracing` from this thread: the
    other thread's `import agents` failed ("partially initialized module 'agents.tracing'"). It now waits for it."""
    env = {
        **os.environ,
        "OMNIGATE_API_KEY": fake_key("llmg_", "patched-meanwhile"),
        "OMNIGATE_BASE_URL": "http://127.0.0.1:9/v1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    env.pop("OPENAI_AGENTS_DISABLE_TRACING", None)
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", _PATCHED_DURING_ANOTHER_THREADS_IMPORT],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "imported False"


# --- the Flow gateway: `provider/model` names, tools and `output_type` native ----------------------------

FLOW_NAMES = [FLOW_MODEL, "anthropic/claude-sonnet-4-20250514"]


@pytest.mark.parametrize("name", FLOW_NAMES)
async def test_model_provider_sends_flow_names_as_written(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, name: str
) -> None:
    run_config = RunConfig(model_provider=model_provider(async_flow_client), tracing_disabled=True)
    result = await Runner.run(Agent(name="greeter", model=name), "Hello", run_config=run_config)
    assert result.final_output == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == name


async def test_the_default_provider_misreads_flow_names(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """Why `model_provider` exists: openai-agents' own strips `openai/` and refuses any other prefix."""
    install(async_flow_client)
    with pytest.raises(og.ModelNotFoundError, match="Model 'gpt-4o' not found"):
        await Runner.run(Agent(name="greeter", model=FLOW_MODEL), "Hello")
    with pytest.raises(agents.exceptions.UserError, match="Unknown prefix: anthropic"):
        await Runner.run(Agent(name="greeter", model=FLOW_NAMES[1]), "Hello")
    assert [call.json["model"] for call in flow_chat_calls(flow_gateway)] == ["gpt-4o"]


def _flow_run(client: flow.AsyncOpenAI, api: str) -> RunConfig:
    provider = model_provider(client) if api == "chat" else OpenAIProvider(openai_client=client)
    return RunConfig(model_provider=provider, tracing_disabled=True)


@agents.function_tool
def get_weather(city: str) -> str:
    """The weather of a city."""
    return f"21 C and sunny in {city}"


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_a_function_tool_on_flow(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, api: str
) -> None:
    agent = Agent(name="weather", model=FLOW_MODEL, tools=[get_weather])
    result = await Runner.run(agent, "What is the weather in Paris?", run_config=_flow_run(async_flow_client, api))
    assert result.final_output == "The tool said: 21 C and sunny in example"
    assert [item.type for item in result.new_items] == [
        "tool_call_item",
        "tool_call_output_item",
        "message_output_item",
    ]
    usage = result.context_wrapper.usage
    assert (usage.requests, usage.input_tokens, usage.output_tokens) == (2, 9 + 21, 2 + 9)
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert [tool["function"]["name"] for tool in first["tools"]] == ["get_weather"]  # native, not a prompt
    assert json.loads(second["messages"][-2]["tool_calls"][0]["function"]["arguments"]) == {"city": "example"}
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": second["messages"][-2]["tool_calls"][0]["id"],
        "content": "21 C and sunny in example",
    }


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_a_streamed_run_with_a_tool_on_flow(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, api: str
) -> None:
    agent = Agent(name="weather", model=FLOW_MODEL, tools=[get_weather])
    run = Runner.run_streamed(agent, "Weather in Paris?", run_config=_flow_run(async_flow_client, api))
    deltas = [event.data async for event in run.stream_events() if event.type == "raw_response_event"]
    assert run.final_output == "The tool said: 21 C and sunny in example"
    arguments = "".join(d.delta for d in deltas if d.type == "response.function_call_arguments.delta")
    assert json.loads(arguments) == {"city": "example"}
    text = "".join(d.delta for d in deltas if isinstance(d, ResponseTextDeltaEvent))
    assert text == "The tool said: 21 C and sunny in example"
    calls = flow_chat_calls(flow_gateway)
    assert [call.json["stream"] for call in calls] == [True, True]
    assert calls[0].json["tools"][0]["function"]["name"] == "get_weather"


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize("streamed", [False, True], ids=["run", "streamed"])
async def test_output_type_on_flow_after_a_tool(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway, api: str, streamed: bool
) -> None:
    agent = Agent(name="geo", model=FLOW_MODEL, tools=[get_weather], output_type=City)
    run_config = _flow_run(async_flow_client, api)
    if streamed:
        run = Runner.run_streamed(agent, "Where is it sunny?", run_config=run_config)
        async for _ in run.stream_events():
            pass
        output = run.final_output
    else:
        output = (await Runner.run(agent, "Where is it sunny?", run_config=run_config)).final_output
    assert output == City(city="example", country="example")
    first, second = (call.json for call in flow_chat_calls(flow_gateway))
    assert first["response_format"]["json_schema"]["name"] == "final_output"  # native: the schema itself
    assert first["response_format"]["json_schema"]["schema"]["required"] == ["city", "country"]
    assert second["messages"][-1]["role"] == "tool"


async def test_chat_model_defaults_to_a_flow_name_on_flow(
    async_flow_client: flow.AsyncOpenAI, flow_gateway: LocalFlowGateway
) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    agent = Agent(name="greeter", model=chat_model(async_flow_client))
    result = await Runner.run(agent, "Hello", run_config=RunConfig(tracing_disabled=True))
    assert result.final_output == DEFAULT_REPLY
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
