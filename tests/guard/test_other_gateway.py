"""The guard on a gateway other than OmniGate: the Flow client, whose profile lists no prices.

The guard knows no gateway: the profile says which routes are chat calls and how models are priced.
A gateway without prices leaves every model unpriced, so the guard refuses before sending, or
reserves and settles at the price the user stated; tool access reads Flow's native tool calls.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.testing import LocalFlowGateway

from ._drive import QUIET

CHAT = "/api/v1/gateway/v1/chat/completions"
MODEL = "anthropic/claude-sonnet-4-20250514"
HELLO: dict[str, Any] = {"model": MODEL, "messages": [{"role": "user", "content": "Hi there"}], "max_tokens": 50}
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}
STATED = (0.01, 0.03)  # USD per 1k prompt / completion tokens


def _client(gateway: LocalFlowGateway) -> flow.OpenAI:
    return flow.OpenAI(base_url=gateway.base_url, auth_token=gateway.auth_token, max_retries=0)


def _async_client(gateway: LocalFlowGateway) -> flow.AsyncOpenAI:
    return flow.AsyncOpenAI(base_url=gateway.base_url, auth_token=gateway.auth_token, max_retries=0)


def test_without_prices_a_call_is_refused_before_sending(flow_gateway: LocalFlowGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    with _client(flow_gateway) as client, pytest.raises(og.UnpricedModelError, match=repr(MODEL)) as caught:
        client.with_guard(guard).chat.completions.create(**HELLO)
    assert caught.value.model == MODEL
    assert isinstance(caught.value, og.GuardError)
    assert flow_gateway.calls.to(CHAT) == []
    assert [record.error for record in guard.history()] == [str(caught.value)]


def test_without_prices_a_stated_price_reserves_and_settles(flow_gateway: LocalFlowGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET, unpriced_model=STATED)
    with _client(flow_gateway) as client:
        completion = client.with_guard(guard, agent_id="a1").chat.completions.create(**HELLO)
    assert completion.choices[0].message.content
    assert len(flow_gateway.calls.to(CHAT)) == 1
    record = guard.history()[-1]
    assert (record.agent_id, record.model, record.route, record.error) == ("a1", MODEL, "compat", None)
    assert record.cost_source == "reservation"  # Flow reports no cost: the worst case at the stated price is kept
    assert 0 < record.cost_usd == pytest.approx(guard.metrics().cost_usd)
    assert record.prompt_tokens == completion.usage.prompt_tokens  # type: ignore[union-attr]
    assert guard.metrics().reserved_usd == 0


async def test_async_streams_settle_and_tool_access_reads_native_calls(flow_gateway: LocalFlowGateway) -> None:
    guard = og.Guard(
        loops=QUIET, unpriced_model=STATED, tool_access=og.ToolAccess(deny=["get_weather"], default="allow")
    )
    async with _async_client(flow_gateway) as client:
        guarded = client.with_guard(guard, agent_id="a2")
        stream = await guarded.chat.completions.create(**{**HELLO, "max_tokens": 20}, stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
        assert text
        with pytest.raises(og.ToolAccessDeniedError, match="'get_weather' was offered") as caught:
            await guarded.chat.completions.create(**HELLO, tools=[WEATHER_TOOL])
    assert (caught.value.where, caught.value.agent_id) == ("offered", "a2")
    assert len(flow_gateway.calls.to(CHAT)) == 1  # the stream; the call offering the tool was never sent
    assert [(record.stream, record.error is None) for record in guard.history()] == [(True, True), (False, False)]
    assert guard.metrics().reserved_usd == 0


def test_a_native_tool_call_in_the_answer_is_recorded(flow_gateway: LocalFlowGateway) -> None:
    guard = og.Guard(loops=QUIET, unpriced_model=STATED, tool_access={"a3": og.ToolAccess(deny=["get_*"])})
    with _client(flow_gateway) as client:
        answer = client.with_guard(guard, agent_id="other").chat.completions.create(**HELLO, tools=[WEATHER_TOOL])
    assert isinstance(answer, openai.types.chat.ChatCompletion)
    assert [call.function.name for call in answer.choices[0].message.tool_calls or ()] == ["get_weather"]  # type: ignore[union-attr]
    record = guard.history()[-1]
    assert (record.agent_id, record.tool_calls, record.error) == ("other", ("get_weather",), None)
    assert guard.metrics().tool_calls == 1
