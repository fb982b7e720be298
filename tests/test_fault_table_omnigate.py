"""The shared fault table (`tests/_fault_table.py`) driven against the local OmniGate gateway."""

from __future__ import annotations

from typing import Any

import pytest

import omnigate_openai as og
from _fault_table import FAULT_KINDS, MODES, Arranged, FaultKind, call_async, call_sync, check
from omnigate_openai.testing import LocalGateway

HELLO: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def arrange(gateway: LocalGateway, kind: FaultKind) -> Arranged:
    if kind.name == "credential refused":
        return Arranged(HELLO, "Invalid API key", {"api_key": "llmg_" + "not-a-key-of-this-gateway"})
    if kind.name == "rate limited":
        gateway.faults.rate_limit()
        return Arranged(HELLO, "Rate limit exceeded", {})
    if kind.name == "provider failed":
        gateway.faults.provider_error(500)
        return Arranged(HELLO, "OpenAI error 500:", {})
    if kind.name == "unknown model":
        return Arranged({**HELLO, "model": "llama-3-70b"}, "No provider registered for model 'llama-3-70b'", {})
    if kind.name == "invalid request":
        return Arranged({**HELLO, "temperature": 3}, "body.temperature: Input should be less than or equal to 2", {})
    raise AssertionError(f"the OmniGate driver does not arrange {kind.name!r}")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", FAULT_KINDS, ids=lambda kind: kind.name)
async def test_omnigate_raises_the_typed_error(local_gateway: LocalGateway, kind: FaultKind, mode: str) -> None:
    arranged = arrange(local_gateway, kind)
    options = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key, "max_retries": 0}
    options.update(arranged.client)
    stream = mode.endswith("stream")
    if mode.startswith("sync"):
        with og.OpenAI(**options) as client, pytest.raises(og.APIError) as caught:
            call_sync(client, arranged.request, stream=stream)
    else:
        async with og.AsyncOpenAI(**options) as client:
            with pytest.raises(og.APIError) as caught:
                await call_async(client, arranged.request, stream=stream)
    check(caught.value, kind, "omnigate", arranged)
