"""The twin an integration builds of a Flow client (`as_sync` / `as_async` / `pair`) is a Flow client.

Frameworks are handed both a sync and an async client; the one the user did not pass is built from
the other. Built as a core client it would lose the Flow class (its `gateway`, `with_workspace`,
repr); built with an async-only refresh callback it would fail at the first 401, hours later.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.integrations._clients import as_async, as_sync, pair
from omnigate_openai.testing import LocalFlowGateway

HELLO: dict[str, Any] = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
CHAT = "/api/v1/gateway/v1/chat/completions"


def test_the_async_twin_of_a_flow_client_is_a_flow_client_that_renews_the_shared_token(
    flow_gateway: LocalFlowGateway,
) -> None:
    client = flow.OpenAI(
        base_url=flow_gateway.base_url,
        auth_token=flow_gateway.auth_token,
        on_auth_token_refresh=flow_gateway.issue_token,
        workspace_id=flow_gateway.workspace_id,
        timeout=7.0,
        max_retries=1,
    )
    twin = as_async(client)
    assert type(twin) is flow.AsyncOpenAI
    assert (twin.settings, twin.timeout, twin.max_retries) == (client.settings, 7.0, 1)
    assert repr(twin) == repr(client).replace("OpenAI(", "AsyncOpenAI(", 1)
    assert pair(client, None)[1].settings is client.settings

    async def call() -> str | None:
        async with twin:
            return (await twin.chat.completions.create(**HELLO)).choices[0].message.content

    flow_gateway.expire_tokens()
    assert asyncio.run(asyncio.wait_for(call(), timeout=30)) == "Hello there! How can I help?"
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [401, 200]
    assert client.auth_refreshes == twin.auth_refreshes == 1  # one token, shared by both
    assert flow_gateway.calls.last.headers["x-workspace-id"] == flow_gateway.workspace_id
    client.close()


def test_the_sync_twin_of_a_flow_client_is_a_flow_client_that_renews_the_shared_token(
    flow_gateway: LocalFlowGateway,
) -> None:
    client = flow.AsyncOpenAI(
        base_url=flow_gateway.base_url,
        auth_token=flow_gateway.auth_token,
        on_auth_token_refresh=flow_gateway.issue_token,
    )
    twin = as_sync(client)
    assert type(twin) is flow.OpenAI
    assert twin.settings is client.settings
    flow_gateway.expire_tokens()
    with twin:
        assert twin.gateway.providers().providers
    assert flow_gateway.tokens_issued == 2
    assert client.auth_refreshes == 1


def test_a_core_clients_twin_stays_a_core_client() -> None:
    client = og.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="llmg_twin-key")
    assert type(as_sync(client)) is og.OpenAI
    assert type(as_async(as_sync(client))) is og.AsyncOpenAI


def test_an_async_refresh_callback_cannot_be_twinned_into_a_sync_client() -> None:
    async def issue() -> str:
        return "token-2"

    client = flow.AsyncOpenAI(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=issue)
    with pytest.raises(flow.ConfigurationError, match=r"coroutine function") as caught:
        as_sync(client)
    assert isinstance(caught.value, ValueError)
    assert "build the `flow.OpenAI` yourself with a plain function as `on_auth_token_refresh`" in str(caught.value)
    # without a callback, or with a plain one, there is nothing the twin could not do
    as_sync(flow.AsyncOpenAI(base_url="http://127.0.0.1:9", auth_token="t"))
    as_sync(flow.AsyncOpenAI(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=lambda: "t2"))
