"""`api_keys.create / list / revoke`: live, replayed, and the secret shown once."""

from __future__ import annotations

import re
from typing import Any

import openai
import pytest

from omnigate_openai import APIError, AuthError
from omnigate_openai.types import ApiKey, CreatedApiKey

from ._support import Driver, driver, recorded_json

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"

# --- live --------------------------------------------------------------------------------------------------------


def test_create_list_revoke(live: Driver) -> None:
    created = live(lambda g: g.api_keys.create("ci"))
    assert isinstance(created, CreatedApiKey)
    assert created.api_key.startswith("llmg_")
    assert created.key_prefix == created.api_key[:12]
    assert created.api_key not in repr(created)
    assert created.api_key not in str(created)
    assert created.revoked_at is None

    listed = live(lambda g: g.api_keys.list())
    assert [type(k) for k in listed] == [ApiKey]
    assert listed[0].id == created.id
    assert "api_key" not in listed[0].model_dump()

    assert live(lambda g: g.api_keys.revoke(created.id)) is None
    assert live(lambda g: g.api_keys.revoke(created.id)) is None  # idempotent
    (revoked,) = live(lambda g: g.api_keys.list())
    assert revoked.revoked
    assert revoked.revoked_at is not None


def test_created_key_authenticates_and_can_revoke_itself(mode: str, live: Driver, local_gateway: Any) -> None:
    created = live(lambda g: g.api_keys.create("self"))
    with driver(mode, base_url=local_gateway.base_url, api_key=created.api_key) as minted:
        assert minted(lambda g: g.me()).project_id == str(local_gateway.project.project_id)
        minted(lambda g: g.api_keys.revoke(created.id))
        with pytest.raises(AuthError, match="Invalid API key"):
            minted(lambda g: g.api_keys.list())


def test_unknown_key_id_is_not_found(live: Driver) -> None:
    with pytest.raises(APIError, match="API key not found") as caught:
        live(lambda g: g.api_keys.revoke(UNKNOWN_ID))
    assert isinstance(caught.value, openai.NotFoundError)
    assert caught.value.status_code == 404


@pytest.mark.parametrize("key_id", ["not-a-uuid", "", "652e40d7-9bf7-4c02-b528", 42])
def test_a_non_uuid_key_id_is_refused_before_sending(live: Driver, local_gateway: Any, key_id: Any) -> None:
    """The gateway would answer 422; the README promises a ValueError before anything is sent."""
    with pytest.raises(ValueError, match=re.escape(f"Expected key_id as a UUID, got {key_id!r}")):
        live(lambda g: g.api_keys.revoke(key_id))
    assert [call.path for call in local_gateway.calls] == []


def test_a_uuid_in_another_spelling_is_sent_canonical(live: Driver, local_gateway: Any) -> None:
    with pytest.raises(APIError, match="API key not found"):
        live(lambda g: g.api_keys.revoke(UNKNOWN_ID.replace("-", "").upper()))
    assert local_gateway.calls.last.path == f"/v1/keys/api/{UNKNOWN_ID}"


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_bad_names_are_refused_before_sending(live: Driver, local_gateway: Any, name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"Expected a key name of 1 to 255 characters, got {name!r}")):
        live(lambda g: g.api_keys.create(name))
    assert local_gateway.calls.to("/v1/keys/api") == []


def test_bad_key_is_auth_error(mode: str, local_gateway: Any) -> None:
    with (
        driver(mode, base_url=local_gateway.base_url, api_key="llmg_wrong") as bad,
        pytest.raises(AuthError, match="Invalid API key"),
    ):
        bad(lambda g: g.api_keys.list())


def test_raw_response_of_revoke_is_204(live: Driver) -> None:
    created = live(lambda g: g.api_keys.create("raw"))
    raw = live(lambda g: g.api_keys.with_raw_response.revoke(created.id))
    assert raw.status_code == 204
    assert raw.parse() is None


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------


def test_replay_create(replay: Any) -> None:
    with replay("keys_create_201") as (gw, cassette):
        gw(lambda g: g.signup("k1@example.com"))
        created = gw(lambda g: g.api_keys.create("ci"))
    assert cassette.all_played
    assert created.model_dump(mode="json") == recorded_json("keys_create_201", 1)


def test_replay_list_includes_revoked(replay: Any) -> None:
    with replay("keys_list_includes_revoked") as (gw, cassette):
        gw(lambda g: g.signup("k2@example.com"))
        first = gw(lambda g: g.api_keys.create("first"))
        gw(lambda g: g.api_keys.create("second"))
        gw(lambda g: g.api_keys.revoke(first.id))
        listed = gw(lambda g: g.api_keys.list())
    assert cassette.all_played
    assert [k.name for k in listed] == ["first", "second"]
    assert [k.revoked for k in listed] == [True, False]


@pytest.mark.parametrize("cassette", ["keys_revoke_204", "keys_revoke_again_204"])
def test_replay_revoke(replay: Any, cassette: str) -> None:
    email = recorded_json(cassette, 0)["email"]
    with replay(cassette) as (gw, played):
        gw(lambda g: g.signup(email))
        created = gw(lambda g: g.api_keys.create("temp"))
        while played.play_count < len(played.data):
            assert gw(lambda g: g.api_keys.revoke(created.id)) is None
    assert played.all_played


def test_replay_revoke_unknown(replay: Any) -> None:
    with replay("keys_revoke_unknown_404") as (gw, _):
        gw(lambda g: g.signup("k5@example.com"))
        with pytest.raises(APIError, match="API key not found") as caught:
            gw(lambda g: g.api_keys.revoke(UNKNOWN_ID))
    assert isinstance(caught.value, openai.NotFoundError)


def test_replay_revoke_non_uuid_is_refused_before_the_recorded_422(replay: Any) -> None:
    with replay("keys_revoke_non_uuid_422") as (gw, cassette):
        gw(lambda g: g.signup("k7@example.com"))
        with pytest.raises(ValueError, match="Expected key_id as a UUID, got 'not-a-uuid'"):
            gw(lambda g: g.api_keys.revoke("not-a-uuid"))
    assert cassette.play_count == 1  # the signup; the bad id never left


def test_replay_empty_name_is_refused_before_the_recorded_422(replay: Any) -> None:
    with replay("keys_create_validation_422") as (gw, cassette):
        gw(lambda g: g.signup("k8@example.com"))
        with pytest.raises(ValueError, match="Expected a key name of 1 to 255 characters, got ''"):
            gw(lambda g: g.api_keys.create(""))
    assert cassette.play_count == 1  # the signup; the empty name never left


def test_replay_named_key_revokes_itself(replay: Any) -> None:
    with replay("keys_named_key_can_revoke_itself") as (gw, cassette):
        gw(lambda g: g.signup("k12@example.com"))
        created = gw(lambda g: g.api_keys.create("self"))
        gw(lambda g: g.api_keys.revoke(created.id))
        with pytest.raises(AuthError, match="Invalid API key"):
            gw(lambda g: g.api_keys.list())
    assert cassette.all_played


def test_replay_list_shows_last_use(replay: Any) -> None:
    with replay("keys_created_key_works_for_chat") as (gw, _):
        gw(lambda g: g.signup("k9@example.com"))
        gw(lambda g: g.provider_keys.set("openai", "<redacted-provider-key>"))
        gw(lambda g: g.api_keys.create("worker"))
        (worker,) = gw(lambda g: g.api_keys.list())
    assert worker.last_used_at is not None
    assert not worker.revoked
