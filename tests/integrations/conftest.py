"""Live framework tests: the real packages, the local gateway on loopback, and no other host.

Every test here runs with `OPENAI_API_KEY` set to a dummy and every connection checked: a framework
that bypasses the gateway client fails the test twice over, by the guard (it would reach
api.openai.com) and by the gateway's log (each call must carry the gateway key and the user id).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

import omnigate_openai as og
from _fakes import fake_key
from _socket_guard import SocketGuard, guarded
from omnigate_openai import flow
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway

from ._frameworks import ENV, FRAMEWORKS, SHARED

USER_ID = "integration-user"
OPENAI_DUMMY_KEY = fake_key("sk-", "openai-dummy-key-that-must-never-be-sent")
CHAT = "/v1/chat/completions"
FLOW_CHAT = "/api/v1/gateway/v1/chat/completions"
FLOW_MODEL = "openai/gpt-4o"
"""A Flow model name: `provider/model`, sent as written."""

FLOW_DEFAULT_MODEL = "openai/gpt-4o-mini"
"""What a helper given a Flow client and no model sends: the Flow name of OmniGate's default."""

TELEMETRY_OFF = {
    "HAYSTACK_TELEMETRY_ENABLED": "False",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
    "OTEL_SDK_DISABLED": "true",
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_TELEMETRY": "False",
    "DSPY_DISABLE_TELEMETRY": "true",
}
"""Each framework's documented opt-outs of phoning home, set before any framework is imported (some read
them at import). The host guard proves they hold: any telemetry that still tries to leave fails the test."""
os.environ.update(TELEMETRY_OFF)

# Frameworks not tested in this environment (see `_frameworks.py`, asserted in `test_frameworks.py`); a
# framework's own venv runs its tests and the table's, nothing else.
collect_ignore = [f.test_file for f in FRAMEWORKS if ENV not in f.envs]
if ENV not in SHARED:
    _KEPT = {"test_frameworks.py", "test_host_guard.py", *(f.test_file for f in FRAMEWORKS if ENV in f.envs)}
    collect_ignore += [path.name for path in Path(__file__).parent.glob("test_*.py") if path.name not in _KEPT]


@pytest.fixture
def host_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[SocketGuard]:
    """No host but the local gateway (its port is allowed once it listens), and a dummy
    `OPENAI_API_KEY` that a bypass would pick up. Name lookups are checked too: with no network here,
    a call to api.openai.com fails at DNS, before any `connect`."""
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_DUMMY_KEY)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "OMNIGATE_API_KEY", "OMNIGATE_BASE_URL", "OMNIGATE_USER_ID"):
        monkeypatch.delenv(name, raising=False)
    with guarded(loopback=(), what="A framework tried to reach another host") as guard:
        yield guard


@pytest.fixture
def gateway_reply() -> str:
    """What the gateway's offline provider answers; parametrize `gateway_reply` to change it."""
    return DEFAULT_REPLY


def _framework_default_models() -> tuple[str, ...]:
    """Models a framework names by default that the offline providers' catalogue may not list yet:
    openai-agents' default model follows OpenAI's newest, and an unknown model is a 404, as upstream."""
    try:
        from agents.models.default_models import get_default_model
    except ImportError:  # a framework venv without openai-agents
        return ()
    return (get_default_model(),)


@pytest.fixture
def gateway(host_guard: SocketGuard, gateway_reply: str) -> Iterator[LocalGateway]:
    """The local gateway, the only host allowed; on exit, each call must carry the key and the user id."""
    with LocalGateway(reply=gateway_reply, extra_models=_framework_default_models()) as gw:
        host_guard.allow_port(int(gw.root_url.rsplit(":", 1)[1]))
        yield gw
    for call in gw.calls:
        assert call.headers.get("x-api-key") == gw.api_key, f"{call.method} {call.path} lacks the gateway key"
        assert call.headers.get("x-user-id") == USER_ID, f"{call.method} {call.path} lacks the user id"
        assert OPENAI_DUMMY_KEY not in repr(dict(call.headers)), f"{call.method} {call.path} carries OPENAI_API_KEY"


def chat_calls(gw: LocalGateway) -> list[Any]:
    return gw.calls.to(CHAT)


@pytest.fixture
def client(gateway: LocalGateway) -> Iterator[og.OpenAI]:
    with og.OpenAI(base_url=gateway.base_url, api_key=gateway.api_key, user_id=USER_ID, max_retries=0) as client:
        yield client


@pytest.fixture
async def async_client(gateway: LocalGateway) -> AsyncIterator[og.AsyncOpenAI]:
    async with og.AsyncOpenAI(
        base_url=gateway.base_url, api_key=gateway.api_key, user_id=USER_ID, max_retries=0
    ) as client:
        yield client


@pytest.fixture
def patched(gateway: LocalGateway) -> Iterator[LocalGateway]:
    """`patch_openai()` for the test: a framework's own `openai.OpenAI()` is a gateway client meanwhile."""
    og.patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)
    try:
        yield gateway
    finally:
        og.unpatch_openai()


@pytest.fixture
def agents_defaults_restored() -> Iterator[None]:
    """`integrations.openai_agents.install` sets openai-agents' process-wide defaults: put them back after the test."""
    from agents.models import _openai_shared
    from agents.tracing import get_trace_provider
    from agents.tracing.processors import default_exporter

    saved = (_openai_shared.get_default_openai_client(), _openai_shared.get_use_responses_by_default())
    exporter_key = default_exporter()._api_key
    yield
    _openai_shared.set_default_openai_client(saved[0])  # type: ignore[arg-type]
    _openai_shared.set_use_responses_by_default(saved[1])
    default_exporter()._api_key = exporter_key
    get_trace_provider().set_disabled(False)


# -- the Flow gateway: the same frameworks over `flow.OpenAI` -------------------------------------------


@pytest.fixture
def flow_gateway(host_guard: SocketGuard) -> Iterator[LocalFlowGateway]:
    """The local Flow gateway, the only host allowed; on exit, each call must carry the platform token alone."""
    with LocalFlowGateway() as gw:
        host_guard.allow_port(int(gw.base_url.rsplit(":", 1)[1]))
        yield gw
    for call in gw.calls:
        assert call.headers.get("authorization") == f"Bearer {gw.auth_token}", f"{call.path} lacks the token"
        assert OPENAI_DUMMY_KEY not in repr(dict(call.headers)), f"{call.method} {call.path} carries OPENAI_API_KEY"


def flow_chat_calls(gw: LocalFlowGateway) -> list[Any]:
    return gw.calls.to(FLOW_CHAT)


@pytest.fixture
def flow_client(flow_gateway: LocalFlowGateway) -> Iterator[flow.OpenAI]:
    with flow.OpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0) as client:
        yield client


@pytest.fixture
async def async_flow_client(flow_gateway: LocalFlowGateway) -> AsyncIterator[flow.AsyncOpenAI]:
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0
    ) as client:
        yield client
