"""Copies share their parent's connection pool and do not own it: closing a copy leaves it open."""

from __future__ import annotations

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway


def test_closing_a_copy_leaves_the_parents_pool_open(local_gateway: LocalGateway) -> None:
    client = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0)
    client.with_user("u-1").close()
    with client.with_options(timeout=5.0) as copy:
        copy.models.list()
    with client.with_routing(cache=True):
        pass
    assert not client._client.is_closed
    assert client.models.list().data  # the parent still works
    client.close()
    assert client._client.is_closed  # the owner's close does close it


async def test_closing_an_async_copy_leaves_the_parents_pool_open(local_gateway: LocalGateway) -> None:
    client = og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0)
    await client.with_user("u-1").close()
    async with client.with_options(timeout=5.0) as copy:
        await copy.models.list()
    assert not client._client.is_closed
    assert (await client.models.list()).data
    await client.close()
    assert client._client.is_closed


def test_a_copy_with_its_own_http_client_owns_it(local_gateway: LocalGateway) -> None:
    from omnigate_openai._sdk import httpx

    client = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key)
    own = httpx.Client()
    copy = client.with_options(http_client=own)
    copy.close()
    assert own.is_closed
    assert not client._client.is_closed
    client.close()
