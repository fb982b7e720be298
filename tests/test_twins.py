"""The twin of a client (the other kind, sync <-> async, built for a framework that takes both) is the same
client: same gateway settings, routing, guard, bounds and response store."""

from __future__ import annotations

import asyncio

import omnigate_openai as og
from omnigate_openai.integrations._clients import as_async, as_sync
from omnigate_openai.testing import LocalGateway

ASK = [{"role": "user", "content": "Hello"}]


def test_an_async_twin_routes_bounds_and_stores_as_its_sync_client(local_gateway: LocalGateway) -> None:
    store = og.MemoryResponseStore()
    with og.OpenAI(
        base_url=local_gateway.base_url,
        api_key=local_gateway.api_key,
        deadline=30.0,
        max_retry_wait=2.0,
        response_store=store,
    ) as parent:
        client = parent.with_routing(fallbacks=["gpt-4o"])
        first = client.responses.create(model="gpt-4o-mini", input="Hello")
        twin = as_async(client)
        assert twin.routing == client.routing
        assert (twin._bounds.deadline, twin._bounds.max_retry_wait) == (30.0, 2.0)

        async def use_twin() -> None:
            async with twin:
                await twin.chat.completions.create(model="gpt-4o-mini", messages=ASK)  # type: ignore[arg-type]
                await twin.responses.create(model="gpt-4o-mini", input="And?", previous_response_id=first.id)

        asyncio.run(use_twin())
    routed = [call.json.get("fallback_models") for call in local_gateway.calls.to("/v1/chat")]
    assert routed == [["gpt-4o"]] * 3  # the sync client's response, then the twin's chat and response
    assert len(store) == 2  # the twin's response went to the same store, and it found the first one


async def test_a_sync_twin_routes_as_its_async_client(local_gateway: LocalGateway) -> None:
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, deadline=30.0) as parent:
        client = parent.with_routing(fallbacks=["gpt-4o"])
        with as_sync(client) as twin:
            assert (twin.routing, twin._bounds.deadline) == (client.routing, 30.0)
            await asyncio.to_thread(twin.chat.completions.create, model="gpt-4o-mini", messages=ASK)
    (native,) = local_gateway.calls.to("/v1/chat")
    assert native.json["fallback_models"] == ["gpt-4o"]
