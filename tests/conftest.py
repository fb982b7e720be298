"""Shared fixtures: clients pointed at the plugin's `local_gateway` (a fresh gateway per test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway


@pytest.fixture
def client(local_gateway: LocalGateway) -> Iterator[og.OpenAI]:
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        yield client


@pytest.fixture
async def async_client(local_gateway: LocalGateway) -> AsyncIterator[og.AsyncOpenAI]:
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        yield client
