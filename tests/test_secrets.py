"""No credential leaves for another origin, or shows in a repr, a log line, a message or a pickle.

Each path is tested with a canary value: a gateway key, an admin key, a provider key (BYOK) in a
body and a base-URL password that appear nowhere else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import HostileServer, hostile_server
from omnigate_openai.testing import LocalGateway

ADMIN = fake_key("adm_", "admin-canary-0123456789abcdef")
BYOK = fake_key("sk-", "byok-canary-0123456789abcdefghij")
PASSWORD = "pw-canary-0123456789"
CANARIES = (ADMIN, BYOK, PASSWORD)


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[HostileServer, HostileServer]]:
    with hostile_server() as pair:
        yield pair


def test_a_redirect_to_another_origin_carries_no_key_and_no_body(servers: tuple[HostileServer, HostileServer]) -> None:
    server, canary = servers
    key = fake_key("llmg_", "redirect-canary-0123456789")
    with og.OpenAI(base_url=f"{server.url}/redirect_other_origin", api_key=key, admin_key=ADMIN) as client:
        with pytest.raises(og.RedirectRefusedError, match=r"redirecting to http://127\.0\.0\.1:") as caught:
            client.gateway.provider_keys.set("openai", BYOK)
        assert isinstance(caught.value, openai.APIStatusError)
        assert caught.value.status_code == 307
        assert caught.value.location == f"{canary.url}/v1/keys"
        with pytest.raises(og.RedirectRefusedError, match=re.escape(canary.url)):
            client.gateway.admin.orgs.list()
    assert canary.requests == []


async def test_an_async_redirect_to_another_origin_is_refused(servers: tuple[HostileServer, HostileServer]) -> None:
    server, canary = servers
    key = fake_key("llmg_", "redirect-canary-0123456789")
    async with og.AsyncOpenAI(base_url=f"{server.url}/redirect_other_origin", api_key=key, admin_key=ADMIN) as client:
        with pytest.raises(og.RedirectRefusedError, match=re.escape(canary.url)):
            await client.gateway.provider_keys.set("openai", BYOK)
    assert canary.requests == []


def test_a_redirect_within_the_gateway_is_followed_with_its_key(servers: tuple[HostileServer, HostileServer]) -> None:
    server, _ = servers
    key = fake_key("llmg_", "redirect-same-0123456789")
    with og.OpenAI(base_url=f"{server.url}/redirect_same_origin", api_key=key) as client:
        completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert completion.choices[0].message.content == "hi"
    followed = [seen for seen in server.requests if seen.path == "/ok/v1/chat/completions"]
    assert followed
    assert followed[-1].headers["x-api-key"] == key


def test_error_reprs_mask_the_gateway_and_admin_keys(local_gateway: LocalGateway) -> None:
    bad = fake_key("llmg_", "status-canary-0123456789")
    with og.OpenAI(base_url=local_gateway.base_url, api_key=bad, admin_key=ADMIN, max_retries=0) as client:
        with pytest.raises(og.AuthError) as status:
            client.models.list()
        with pytest.raises(og.AuthError) as admin:
            client.gateway.admin.orgs.list()
    unreachable = og.OpenAI(base_url="http://127.0.0.1:9", api_key=bad, max_retries=0)
    with unreachable, pytest.raises(og.ConnectionError) as connection:
        unreachable.models.list()
    for caught, secret in ((status, bad), (admin, ADMIN), (connection, bad)):
        shown = repr(caught.value.request.headers)
        assert secret not in shown
        assert "[secure]" in shown
        assert secret not in repr(caught.value)
        assert secret not in str(caught.value)


def test_debug_logs_show_no_admin_key_provider_key_or_url_password(
    local_gateway: LocalGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = local_gateway.base_url.replace("http://", f"http://ops:{PASSWORD}@")
    admin = local_gateway.admin_key
    with og.OpenAI(base_url=url, api_key=local_gateway.api_key, admin_key=admin, max_retries=0) as client:
        client.gateway.provider_keys.set("openai", BYOK)
        client.gateway.admin.orgs.list()
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello."}])
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for canary in (BYOK, PASSWORD, admin, local_gateway.api_key):
        assert canary not in caplog.text


def test_a_url_password_shows_nowhere_but_is_sent(local_gateway: LocalGateway) -> None:
    url = local_gateway.base_url.replace("http://", f"http://ops:{PASSWORD}@")
    with og.OpenAI(base_url=url, api_key=local_gateway.api_key, max_retries=0) as client:
        assert PASSWORD not in repr(client)
        assert PASSWORD not in str(client.base_url)
        client.models.list()
    sent = local_gateway.calls[-1].headers["authorization"]
    assert sent.startswith("Basic ")  # as httpx sends a URL's credentials
    with pytest.raises(og.ConfigurationError) as bad_url:
        og.OpenAI(base_url=f"http://ops:{PASSWORD}@127.0.0.1:99999", api_key=local_gateway.api_key)
    assert PASSWORD not in str(bad_url.value)
    unreachable = og.OpenAI(base_url=f"http://ops:{PASSWORD}@127.0.0.1:9", api_key="llmg_test", max_retries=0)
    with unreachable, pytest.raises(og.ConnectionError) as connection:
        unreachable.models.list()
    assert PASSWORD not in str(connection.value)
    assert PASSWORD not in repr(connection.value.request)
    assert PASSWORD not in str(connection.value.request.url)
