"""DSPy with `integrations.dspy.lm` (custom engines over the gateway client), live (own venv: openai 3.x)."""

from __future__ import annotations

from collections.abc import Iterator

import dspy
import pytest

import omnigate_openai as og
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai.integrations.dspy import lm
from omnigate_openai.integrations.patch import patch_openai, unpatch_openai
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway

from .conftest import FLOW_DEFAULT_MODEL, USER_ID, chat_calls, flow_chat_calls

CHAT_ADAPTER_ANSWER = "[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]"


@pytest.fixture(autouse=True)
def _no_global_lm() -> Iterator[None]:
    yield
    dspy.configure(lm=None, adapter=None)


def test_call_goes_through_the_gateway(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert lm(client, cache=False, temperature=0.2)("Hello") == [DEFAULT_REPLY]
    [call] = chat_calls(gateway)
    assert (call.json["model"], call.json["temperature"]) == ("gpt-4o-mini", 0.2)


def test_predict_with_the_default_chat_adapter(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(CHAT_ADAPTER_ANSWER)
    dspy.configure(lm=lm(client, cache=False))
    assert dspy.Predict("question -> answer")(question="What is 2 + 2?").answer == "4"
    assert "What is 2 + 2?" in chat_calls(gateway)[0].json["messages"][-1]["content"]


def test_predict_with_the_json_adapter(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script({"answer": "4"})
    dspy.configure(lm=lm(client, cache=False), adapter=dspy.JSONAdapter())
    assert dspy.Predict("question -> answer")(question="What is 2 + 2?").answer == "4"
    assert "response_format" not in chat_calls(gateway)[0].json  # served by prompt


async def test_async_call(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert await lm(client, cache=False).acall("Hello") == [DEFAULT_REPLY]
    assert len(chat_calls(gateway)) == 1


def test_the_default_engine_bypasses_even_a_patched_openai(gateway: LocalGateway, host_guard: SocketGuard) -> None:
    """The issue's finding: `dspy.LM("openai/...")` has its own HTTP code; `patch_openai()` can't reach it."""
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011 (DSPy's own connection error)
            dspy.LM("openai/gpt-4o-mini", cache=False, num_retries=0)("Hello")
    finally:
        unpatch_openai()
    assert any("api.openai.com" in str(target) for target in host_guard.attempts)
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []


def test_chain_of_thought(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.model.script("[[ ## reasoning ## ]]\nTwo and two.\n\n[[ ## answer ## ]]\n4\n\n[[ ## completed ## ]]")
    dspy.configure(lm=lm(client, cache=False))
    prediction = dspy.ChainOfThought("question -> answer")(question="What is 2 + 2?")
    assert (prediction.reasoning, prediction.answer) == ("Two and two.", "4")


def test_react_runs_the_tool(client: og.OpenAI, gateway: LocalGateway) -> None:
    ran: list[str] = []

    def get_weather(city: str) -> str:
        """The weather of a city."""
        ran.append(city)
        return f"21 C and sunny in {city}"

    def step(thought: str, tool: str, args: str) -> str:
        return (
            f"[[ ## next_thought ## ]]\n{thought}\n\n[[ ## next_tool_name ## ]]\n{tool}\n\n"
            f"[[ ## next_tool_args ## ]]\n{args}\n\n[[ ## completed ## ]]"
        )

    gateway.model.script(
        step("I look it up.", "get_weather", '{"city": "Paris"}'),
        step("I know it.", "finish", "{}"),
        "[[ ## reasoning ## ]]\nThe tool said so.\n\n[[ ## answer ## ]]\nSunny\n\n[[ ## completed ## ]]",
    )
    dspy.configure(lm=lm(client, cache=False))
    prediction = dspy.ReAct("question -> answer", tools=[get_weather])(question="Weather in Paris?")
    assert ran == ["Paris"]
    assert prediction.answer == "Sunny"
    assert "21 C and sunny in Paris" in chat_calls(gateway)[1].json["messages"][-1]["content"]


def test_the_default_model_on_flow_is_a_flow_name(flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway) -> None:
    """OmniGate's default, `gpt-4o-mini`, is a name Flow answers 404 for: a Flow client's default is Flow's."""
    assert lm(flow_client, cache=False)("Hello") == [DEFAULT_REPLY]
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL


async def test_the_default_model_on_flow_is_a_flow_name_async(
    flow_client: flow.OpenAI, flow_gateway: LocalFlowGateway
) -> None:
    assert await lm(flow_client, cache=False).acall("Hello") == [DEFAULT_REPLY]
    [call] = flow_chat_calls(flow_gateway)
    assert call.json["model"] == FLOW_DEFAULT_MODEL
