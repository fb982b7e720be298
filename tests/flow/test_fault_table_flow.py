"""The shared fault table (`tests/_fault_table.py`) driven against the local Flow gateway.

Each kind arrives in a different envelope, as the platform, LiteLLM, FastAPI or a proxy would send it.
"""

from __future__ import annotations

from typing import Any

import pytest

from _fault_table import FAULT_KINDS, MODES, Arranged, FaultKind, call_async, call_sync, check
from omnigate_openai import flow
from omnigate_openai.testing import LocalFlowGateway

HELLO: dict[str, Any] = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}


def arrange(gateway: LocalFlowGateway, kind: FaultKind) -> Arranged:
    if kind.name == "credential refused":  # real: an expired token, and no refresh callback
        gateway.expire_tokens()
        return Arranged(HELLO, "Token has expired", {})
    if kind.name == "rate limited":
        gateway.faults.respond(429, "litellm.RateLimitError: quota spent", envelope="litellm", retry_after=0)
        return Arranged(HELLO, "litellm.RateLimitError: quota spent", {})
    if kind.name == "provider failed":
        gateway.faults.respond(502, "upstream provider unavailable", envelope="text")
        return Arranged(HELLO, "upstream provider unavailable", {})
    if kind.name == "unknown model":  # real: the gateway does not route the name
        return Arranged({**HELLO, "model": "openai/gpt-5-nano"}, "Model 'openai/gpt-5-nano' not found", {})
    if kind.name == "invalid request":
        gateway.faults.respond(422, "temperature must be at most 2", envelope="fastapi")
        return Arranged(HELLO, "temperature must be at most 2", {})
    raise AssertionError(f"the Flow driver does not arrange {kind.name!r}")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", FAULT_KINDS, ids=lambda kind: kind.name)
async def test_flow_raises_the_typed_error(flow_gateway: LocalFlowGateway, kind: FaultKind, mode: str) -> None:
    arranged = arrange(flow_gateway, kind)
    options = {"base_url": flow_gateway.base_url, "auth_token": flow_gateway.auth_token, "max_retries": 0}
    stream = mode.endswith("stream")
    if mode.startswith("sync"):
        with flow.OpenAI(**options, **arranged.client) as client, pytest.raises(flow.APIError) as caught:
            call_sync(client, arranged.request, stream=stream)
    else:
        async with flow.AsyncOpenAI(**options, **arranged.client) as client:
            with pytest.raises(flow.APIError) as caught:
                await call_async(client, arranged.request, stream=stream)
    check(caught.value, kind, "flow", arranged)
    assert flow_gateway.auth_token not in str(caught.value)
