"""`provider_keys.set`: live (including Azure's `meta`), replayed, and refused before a key travels."""

from __future__ import annotations

import re
from typing import Any

import pytest

from omnigate_openai import AuthError

from ._support import Driver, driver, recorded_json

REDACTED = "<redacted-provider-key>"  # the provider key as the reference cassettes recorded it
AZURE = {"endpoint": "https://example.openai.azure.com", "deployment": "gpt-4o-mini"}

# --- live --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "meta"), [("openai", None), ("anthropic", None), ("gemini", None), ("azure", AZURE)]
)
def test_set_shows_up_in_me(mode: str, local_gateway: Any, provider: str, meta: Any) -> None:
    project = local_gateway.new_project(providers=())
    with driver(mode, base_url=local_gateway.base_url, api_key=project.api_key) as gw:
        assert gw(lambda g: g.me()).configured_providers == []
        assert gw(lambda g: g.provider_keys.set(provider, "sk-local-test-key", meta=meta)) is None
        assert gw(lambda g: g.me()).configured_providers == [provider]
    sent = local_gateway.calls.to("/v1/keys")[-1].json
    assert sent == {"provider": provider, "api_key": "sk-local-test-key", **({"meta": meta} if meta else {})}


REFUSED = [  # provider, key, meta, message (the gateway's own words where it has them)
    ("mistral", "sk-long-enough", None, "Input should be 'openai', 'anthropic', 'gemini' or 'azure', got provider="),
    ("openai", "sk-1", None, "Expected a provider key of at least 8 characters, got 4"),
    ("azure", "azure-key-123", None, "Azure provider requires meta.endpoint (an https:// URL)."),
    ("azure", "azure-key-123", {"endpoint": "http://x", "deployment": "d"}, "requires meta.endpoint (an https://"),
    ("azure", "azure-key-123", {"endpoint": "https://x"}, "Azure provider requires meta.deployment (the deployment"),
]


@pytest.mark.parametrize(("provider", "key", "meta", "message"), REFUSED, ids=[r[3][:40] for r in REFUSED])
def test_refused_before_sending(
    live: Driver, local_gateway: Any, provider: str, key: str, meta: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        live(lambda g: g.provider_keys.set(provider, key, meta=meta))
    assert key not in str(caught.value)  # a key never appears in an error
    assert local_gateway.calls.to("/v1/keys") == []


def test_bad_key_is_auth_error(mode: str, local_gateway: Any) -> None:
    with (
        driver(mode, base_url=local_gateway.base_url, api_key="llmg_wrong") as bad,
        pytest.raises(AuthError, match="Invalid API key"),
    ):
        bad(lambda g: g.provider_keys.set("openai", "sk-long-enough"))


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------


def test_replay_set_openai(replay: Any) -> None:
    with replay("byok_set_openai_204") as (gw, cassette):
        gw(lambda g: g.signup("byok@example.com"))
        assert gw(lambda g: g.provider_keys.set("openai", "<redacted-provider-key>")) is None
        assert gw(lambda g: g.me()).configured_providers == ["openai"]
    assert cassette.all_played


def _server_words(cassette: str) -> str:
    """What the recorded gateway said: a detail string, or the first validation message."""
    detail = recorded_json(cassette, 1)["detail"]
    return detail if isinstance(detail, str) else detail[0]["msg"]


@pytest.mark.parametrize(
    ("cassette", "provider", "key", "words"),
    [
        (
            "byok_azure_without_meta_400",
            "azure",
            "<redacted-provider-key>",
            _server_words("byok_azure_without_meta_400"),
        ),
        ("byok_unknown_provider_422", "mistral", "<redacted-provider-key>", _server_words("byok_unknown_provider_422")),
        ("byok_short_key_422", "openai", "sk-1", "at least 8 characters"),  # the server says it of the *string*
    ],
)
def test_replay_refusals_never_reach_the_recorded_answer(
    replay: Any, cassette: str, provider: str, key: str, words: str
) -> None:
    assert words in _server_words(cassette)
    with replay(cassette) as (gw, played):
        gw(lambda g: g.signup(recorded_json(cassette, 0)["email"]))
        with pytest.raises(ValueError, match=re.escape(words)):
            gw(lambda g: g.provider_keys.set(provider, key))
    assert played.play_count == 1  # the signup only


def test_replay_without_key(replay: Any) -> None:
    with (
        replay("byok_no_auth_401") as (gw, _),
        pytest.raises(AuthError, match=re.escape("Missing x-api-key header (or Authorization: Bearer token)")),
    ):
        gw(lambda g: g.provider_keys.set("openai", "<redacted-provider-key>"))
