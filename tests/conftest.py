"""Shared fixtures: clients of the plugin's `local_gateway` (a fresh gateway per test), and `flow_gateway`.

Every test starts without the `OMNIGATE_*` and `OPENAI_*` variables of the developer's shell: the
client reads the first, frameworks the second, and a test that depends on them sets its own.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalFlowGateway, LocalGateway

_ISOLATED_PREFIXES = ("OMNIGATE_", "OPENAI_")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_ISOLATED_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture
def client(local_gateway: LocalGateway) -> Iterator[og.OpenAI]:
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        yield client


@pytest.fixture
async def async_client(local_gateway: LocalGateway) -> AsyncIterator[og.AsyncOpenAI]:
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        yield client


@pytest.fixture
def flow_gateway() -> Iterator[LocalFlowGateway]:
    """A fresh local Flow gateway on a loopback port; strict: a scheduled fault must be hit."""
    with LocalFlowGateway() as gateway:
        yield gateway
