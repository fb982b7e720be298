"""A shared TLS context changes what a new client costs and nothing else a user can see.

The HTTP client built with the shared context is compared with the one the SDK builds itself:
class, timeout, limits, redirects, proxies from the environment, and a context set up exactly as
`httpx` sets one up. Clients wired as proposed for `_client.py` then make the same calls and raise
the same errors as clients without it.
"""

from __future__ import annotations

import os
import ssl
from typing import Any

import openai
import pytest
from openai._base_client import AsyncHttpxClientWrapper, SyncHttpxClientWrapper

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai._tls import _context_for, http_client_sharing_tls, shared_ssl_context
from omnigate_openai.testing import LocalGateway

BASE_URL = "http://127.0.0.1:9/v1"


def _context_facts(context: ssl.SSLContext) -> dict[str, object]:
    return {
        "class": type(context),
        "protocol": context.protocol,
        "verify_mode": context.verify_mode,
        "check_hostname": context.check_hostname,
        "options": context.options,
        "verify_flags": context.verify_flags,
        "minimum_version": context.minimum_version,
        "maximum_version": context.maximum_version,
        "stats": context.cert_store_stats(),
        "ca_certs": context.get_ca_certs(binary_form=True),
    }


def _pool_facts(client: Any) -> dict[str, object]:
    pool = client._transport._pool
    return {
        "class": type(client),
        "base_url": client.base_url,
        "timeout": client.timeout,
        "follow_redirects": client.follow_redirects,
        "trust_env": client.trust_env,
        "headers": dict(client.headers),
        "mounts": sorted(str(pattern.pattern) for pattern in client._mounts),
        **{name: _plain(value) for name, value in vars(pool).items() if name != "_ssl_context"},
        "context": _context_facts(pool._ssl_context),
    }


def _plain(value: object) -> object:
    """Values compare as themselves; locks, backends and other machinery by their class."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, tuple, list, dict, set, frozenset)):
        return value
    return type(value)


def test_the_shared_context_is_the_one_httpx_would_build() -> None:
    assert _context_facts(shared_ssl_context()) == _context_facts(httpx.create_ssl_context())


def test_one_context_per_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shared_ssl_context() is shared_ssl_context()
    cafile = ssl.get_default_verify_paths().openssl_cafile
    if not os.path.isfile(cafile):
        pytest.skip("no system CA file to point SSL_CERT_FILE at")
    try:
        monkeypatch.setenv("SSL_CERT_FILE", cafile)
        from_file = shared_ssl_context()
        assert from_file is not _context_for((None, None))
        assert _context_facts(from_file) == _context_facts(httpx.create_ssl_context())
    finally:
        _context_for.cache_clear()


@pytest.mark.parametrize("timeout", [openai.NOT_GIVEN, 5.0, None, httpx.Timeout(3.0, connect=1.0)])
def test_the_http_client_is_the_sdks_default_but_for_the_context(timeout: Any) -> None:
    options = {} if isinstance(timeout, openai.NotGiven) else {"timeout": timeout}
    sdk_default = openai.OpenAI(api_key="k", base_url=BASE_URL, **options)._client
    shared = http_client_sharing_tls(SyncHttpxClientWrapper, base_url=BASE_URL, timeout=timeout)
    assert _pool_facts(shared) == _pool_facts(sdk_default)
    assert shared._transport._pool._ssl_context is shared_ssl_context()


def test_proxies_from_the_environment_still_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    sdk_default = openai.OpenAI(api_key="k", base_url=BASE_URL)._client
    shared = http_client_sharing_tls(SyncHttpxClientWrapper, base_url=BASE_URL, timeout=openai.NOT_GIVEN)
    assert _pool_facts(shared) == _pool_facts(sdk_default)


def test_the_async_http_client_is_the_sdks_default_but_for_the_context() -> None:
    sdk_default = openai.AsyncOpenAI(api_key="k", base_url=BASE_URL)._client
    shared = http_client_sharing_tls(AsyncHttpxClientWrapper, base_url=BASE_URL, timeout=openai.NOT_GIVEN)
    assert _pool_facts(shared) == _pool_facts(sdk_default)


class _SharedTLSOpenAI(og.OpenAI):
    """The shim wired as proposed: the SDK's default HTTP client, built with the shared context."""

    def __init__(self, **options: Any) -> None:
        if options.get("http_client") is None:
            timeout = options.get("timeout", openai.NOT_GIVEN)
            options["http_client"] = http_client_sharing_tls(
                SyncHttpxClientWrapper, base_url=options["base_url"], timeout=timeout
            )
        super().__init__(**options)


class _SharedTLSAsyncOpenAI(og.AsyncOpenAI):
    def __init__(self, **options: Any) -> None:
        if options.get("http_client") is None:
            timeout = options.get("timeout", openai.NOT_GIVEN)
            options["http_client"] = http_client_sharing_tls(
                AsyncHttpxClientWrapper, base_url=options["base_url"], timeout=timeout
            )
        super().__init__(**options)


@pytest.mark.parametrize("options", [{}, {"timeout": 7.0, "max_retries": 1}])
def test_a_wired_client_is_configured_like_the_shim(options: dict[str, Any]) -> None:
    shim = og.OpenAI(api_key="k", base_url=BASE_URL, **options)
    wired = _SharedTLSOpenAI(api_key="k", base_url=BASE_URL, **options)
    assert (wired.base_url, wired.timeout, wired.max_retries) == (shim.base_url, shim.timeout, shim.max_retries)
    assert _pool_facts(wired._client) == _pool_facts(shim._client)
    copy = wired.with_user("u1")
    assert copy._client is wired._client  # copies share the parent's pool, as before
    assert _SharedTLSOpenAI(api_key="k", base_url=BASE_URL)._client._transport._pool._ssl_context is (
        wired._client._transport._pool._ssl_context
    )


def test_a_users_own_http_client_is_left_alone() -> None:
    mine = httpx.Client()
    assert _SharedTLSOpenAI(api_key="k", base_url=BASE_URL, http_client=mine)._client is mine


def test_calls_and_errors_are_unchanged(local_gateway: LocalGateway) -> None:
    request: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    with _SharedTLSOpenAI(api_key=local_gateway.api_key, base_url=local_gateway.base_url, max_retries=0) as wired:
        assert wired.chat.completions.create(**request).choices[0].message.content
    errors = []
    for cls in (og.OpenAI, _SharedTLSOpenAI):
        with (
            cls(api_key="k", base_url=BASE_URL, max_retries=0) as client,
            pytest.raises(openai.APIConnectionError) as caught,
        ):
            client.chat.completions.create(**request)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]
    assert issubclass(errors[0][0], openai.APIConnectionError)


async def test_async_calls_and_errors_are_unchanged(local_gateway: LocalGateway) -> None:
    request: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    options: dict[str, Any] = {"api_key": local_gateway.api_key, "base_url": local_gateway.base_url, "max_retries": 0}
    async with _SharedTLSAsyncOpenAI(**options) as wired:
        chunks = [chunk async for chunk in await wired.chat.completions.create(**request, stream=True)]
        assert chunks
    errors = []
    for cls in (og.AsyncOpenAI, _SharedTLSAsyncOpenAI):
        async with cls(api_key="k", base_url=BASE_URL, max_retries=0) as client:
            with pytest.raises(openai.APIConnectionError) as caught:
                await client.chat.completions.create(**request)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]
