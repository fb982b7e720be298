"""A guard under the Responses API: each `responses.create` is the chat call it becomes, checked and settled."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway, ToolCall

from ._drive import MODES, QUIET

WEATHER: Any = [
    {
        "type": "function",
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
]


def _respond(mode: str, gateway: LocalGateway, guard: og.Guard, **call: Any) -> list[str]:
    """One guarded `responses.create` through a new client of `mode`; the output item types (a stream read whole)."""
    options: dict[str, Any] = {"base_url": gateway.base_url, "api_key": gateway.api_key, "max_retries": 0}
    body = {"model": "gpt-4o-mini", "input": "What is the weather in Paris?", **call}
    if mode == "sync":
        with og.OpenAI(**options) as client:
            answer = client.with_guard(guard, agent_id="r").responses.create(**body)
            return [event.type for event in answer] if call.get("stream") else [item.type for item in answer.output]

    async def respond() -> list[str]:
        async with og.AsyncOpenAI(**options) as client:
            answer = await client.with_guard(guard, agent_id="r").responses.create(**body)
            if call.get("stream"):
                return [event.type async for event in answer]
            return [item.type for item in answer.output]

    return asyncio.run(respond())


@pytest.mark.parametrize("mode", MODES)
def test_a_response_with_a_tool_call_settles_at_the_gateways_cost(mode: str, local_gateway: LocalGateway) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    assert _respond(mode, local_gateway, guard, tools=WEATHER) == ["function_call"]
    (record,) = guard.history()
    assert (record.agent_id, record.tool_calls, record.cost_source, record.error) == (
        "r",
        ("get_weather",),
        "gateway",
        None,
    )
    assert record.cost_usd > 0
    used = guard.metrics()
    assert (used.calls, used.tool_calls, used.cost_usd, used.reserved_usd) == (1, 1, record.cost_usd, 0.0)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
def test_a_tool_budget_stops_the_next_response(mode: str, stream: bool, local_gateway: LocalGateway) -> None:
    guard = og.Guard(per_agent=og.Limits(max_tool_calls=1), loops=QUIET)
    local_gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    _respond(mode, local_gateway, guard, tools=WEATHER, stream=stream)
    with pytest.raises(
        og.LimitExceededError,
        match=re.escape("Guard limit max_tool_calls of default|agent|r reached: 1 used or reserved"),
    ) as caught:
        _respond(mode, local_gateway, guard, tools=WEATHER, stream=stream)
    assert (caught.value.limit, caught.value.current, caught.value.maximum) == ("max_tool_calls", 1.0, 1.0)
    assert len(local_gateway.calls.to("/v1/chat/completions")) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_denied_tool_offered_to_a_response_is_refused_before_sending(mode: str, local_gateway: LocalGateway) -> None:
    guard = og.Guard(tool_access=og.ToolAccess(deny=["get_*"]))
    with pytest.raises(og.ToolAccessDeniedError, match="Tool 'get_weather' was offered but agent 'r' may not use it"):
        _respond(mode, local_gateway, guard, tools=WEATHER)
    assert local_gateway.calls.to("/v1/chat/completions") == []
