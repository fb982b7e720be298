"""`client.gateway` as a whole: mounted lazily, sync and async twins alike, raw and streaming wrappers."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from omnigate_openai import AsyncOpenAI, OpenAI
from omnigate_openai.omnigate.resources import admin, api_keys, gateway, provider_keys
from omnigate_openai.omnigate.resources.gateway import AsyncGateway, Gateway

TWINS = [  # every sync resource and its async twin
    (gateway.Gateway, gateway.AsyncGateway),
    (api_keys.ApiKeys, api_keys.AsyncApiKeys),
    (provider_keys.ProviderKeys, provider_keys.AsyncProviderKeys),
    (admin.Admin, admin.AsyncAdmin),
    (admin.Orgs, admin.AsyncOrgs),
    (admin.Projects, admin.AsyncProjects),
]

WRAPPERS = [  # the raw and streaming twins: same attributes, wrapping the same methods
    (gateway.GatewayWithRawResponse, gateway.AsyncGatewayWithRawResponse),
    (gateway.GatewayWithStreamingResponse, gateway.AsyncGatewayWithStreamingResponse),
]


def _methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(("sync", "async_"), TWINS, ids=[s.__name__ for s, _ in TWINS])
def test_async_surface_mirrors_sync(sync: type, async_: type) -> None:
    """Same method names, same parameters (names, kinds, defaults, annotations); only `async` differs."""
    sync_methods, async_methods = _methods(sync), _methods(async_)
    assert sorted(sync_methods) == sorted(async_methods)
    for name, signature in sync_methods.items():
        assert inspect.iscoroutinefunction(getattr(async_, name)), f"{async_.__name__}.{name} is not async"
        assert not inspect.iscoroutinefunction(getattr(sync, name)), f"{sync.__name__}.{name} is async"
        mirrored = async_methods[name]
        assert list(signature.parameters.values()) == list(mirrored.parameters.values()), name
        assert _same_return(signature, mirrored), name
    sync_namespaces = {n for n in vars(sync) if not n.startswith("_") and n not in sync_methods}
    async_namespaces = {n for n in vars(async_) if not n.startswith("_") and n not in async_methods}
    assert sync_namespaces == async_namespaces


def _same_return(sync: inspect.Signature, async_: inspect.Signature) -> bool:
    return str(sync.return_annotation).replace("Async", "") == str(async_.return_annotation).replace("Async", "")


def test_every_gateway_method_has_raw_and_streaming_wrappers() -> None:
    methods = set(_methods(Gateway)) - {"price"}  # `price` is arithmetic over a cached list, not one HTTP call
    client = OpenAI(base_url="http://gw.test/v1", api_key="llmg_x")
    for wrapper in (client.gateway.with_raw_response, client.gateway.with_streaming_response):
        assert methods | {"api_keys", "provider_keys", "admin"} == set(vars(wrapper))
    assert set(vars(client.gateway.with_raw_response.admin.orgs)) == {"create", "list", "metrics"}


@pytest.mark.parametrize(("sync", "async_"), WRAPPERS, ids=[s.__name__ for s, _ in WRAPPERS])
def test_wrapper_twins_expose_the_same_names(sync: type, async_: type) -> None:
    sync_gateway = OpenAI(base_url="http://gw.test/v1", api_key="llmg_x").gateway
    async_gateway = AsyncOpenAI(base_url="http://gw.test/v1", api_key="llmg_x").gateway
    assert set(vars(sync(sync_gateway))) == set(vars(async_(async_gateway)))


def test_gateway_is_mounted_once_per_client() -> None:
    client = OpenAI(base_url="http://gw.test/v1", api_key="llmg_x")
    assert isinstance(client.gateway, Gateway)
    assert client.gateway is client.gateway
    assert client.gateway.api_keys is client.gateway.api_keys
    assert isinstance(AsyncOpenAI(base_url="http://gw.test/v1", api_key="llmg_x").gateway, AsyncGateway)


def test_with_streaming_response_reads_lazily(live: Any) -> None:
    manager = live(lambda g: g.with_streaming_response.version())
    if live.mode == "sync":
        with manager as response:
            assert response.parse().version == "0.2.0"
    else:

        async def read() -> Any:
            async with manager as response:
                return await response.parse()

        assert live(lambda _: read()).version == "0.2.0"


def test_extra_headers_and_query_pass_through(live: Any, local_gateway: Any) -> None:
    live(lambda g: g.me(extra_headers={"x-request-id": "from-test"}, extra_query={"probe": "1"}))
    call = local_gateway.calls.last
    assert call.headers["x-request-id"] == "from-test"
    assert call.query == "probe=1"


def test_timeout_passes_through(live: Any) -> None:
    raw = live(lambda g: g.with_raw_response.me(timeout=5.0))
    assert raw.parse().project_name
