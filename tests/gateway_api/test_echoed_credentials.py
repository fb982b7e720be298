"""A 401 that echoes the credentials and body it was sent (a proxy's, or a 422 listing its `input`): the typed
error's message, `detail`, `body` and `response` hold the request's keys masked, gateway key, admin key and
provider key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server

from ._support import driver

KEY = fake_key("llmg_", "echoed-credentials-0123456789")
ADMIN_KEY = fake_key("adm_", "echoed-credentials-0123456789")
PROVIDER_KEY = fake_key("sk-proj-", "echoed-credentials-0123456789")


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("call", "sent", "expected"),
    [
        (lambda g: g.me(), KEY, "Invalid credentials [secure]   for "),  # x-api-key, no bearer, no admin key
        (lambda g: g.admin.orgs.list(), ADMIN_KEY, "Invalid credentials   [secure] for "),  # the admin key alone
        (
            lambda g: g.provider_keys.set("openai", PROVIDER_KEY),
            PROVIDER_KEY,
            'Invalid credentials [secure]   for {"provider":"openai","api_key":"[secure]"}',
        ),
    ],
    ids=["gateway-key", "admin-key", "provider-key"],
)
def test_echoed_credentials_are_masked_in_the_error(
    call: Callable[[Any], Any], sent: str, expected: str, mode: str
) -> None:
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/echo_credentials_401/v1", api_key=KEY, admin_key=ADMIN_KEY) as gateway,
        pytest.raises(og.AuthError) as caught,
    ):
        gateway(call)
    error = caught.value
    assert isinstance(error, openai.AuthenticationError)
    assert str(error) == expected
    assert error.detail == expected
    assert error.body == {"detail": expected}
    assert sent in repr(server.requests[-1])  # it was sent, and echoed back
    for secret in (KEY, ADMIN_KEY, PROVIDER_KEY):
        assert secret not in repr(error)
        assert secret not in repr(error.body)
        assert secret not in error.response.text  # the answer as read outlives the call with the error
        assert secret.encode() not in error.response.content
    assert error.response.json() == {"detail": expected}


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_credential_echoed_in_another_charset_is_masked_in_the_answer_too(mode: str) -> None:
    """A UTF-16 answer holds the key as no UTF-8 bytes: it was masked in the message and `body` (decoded text) but
    stayed in `error.response.text` and `.content`."""
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/echo_credentials_401_utf16/v1", api_key=KEY) as gateway,
        pytest.raises(og.AuthError) as caught,
    ):
        gateway(lambda g: g.me())
    error = caught.value
    assert str(error) == "Invalid credentials [secure]"  # the message is stripped
    assert error.response.text == "Invalid credentials [secure]  "
    assert KEY.encode("utf-16-le") not in error.response.content
    assert KEY not in error.response.content.decode("utf-16")


ESCAPE_STYLES = ["slashes", "every_upper", "every_lower", "mixed"]
SLASHED_PROVIDER_KEY = fake_key("sk-proj-", "echoed/escaped-0123456789")


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("style", ESCAPE_STYLES)
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda g: g.me(), "Invalid credentials [secure]   for "),
        (
            lambda g: g.provider_keys.set("openai", SLASHED_PROVIDER_KEY),
            'Invalid credentials [secure]   for {"provider":"openai","api_key":"[secure]"}',
        ),
    ],
    ids=["gateway-key", "provider-key"],
)
def test_a_credential_echoed_json_escaped_is_masked_in_the_answer_too(
    call: Callable[[Any], Any], expected: str, style: str, mode: str
) -> None:
    """`\\u0073k-...`, `\\u002D`, `\\/`: the parsed `body` was masked; `error.response.text` kept the escaped key."""
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/echo_credentials_401_escaped/{style}/v1", api_key=KEY) as gateway,
        pytest.raises(og.AuthError) as caught,
    ):
        gateway(call)
    error = caught.value
    assert str(error) == expected
    assert error.body == {"detail": expected}
    assert error.response.json() == error.body  # what the body says once decoded, and still JSON
    assert "[secure]" in error.response.text  # masked in the spelling it came in, not re-serialised
    for secret in (KEY, SLASHED_PROVIDER_KEY):
        assert secret not in error.response.text
