"""`me()` and `signup()` (on a client, and module-level without a key): live and replayed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import openai
import pytest

from omnigate_openai import AsyncOpenAI, AuthError, OpenAI
from omnigate_openai.omnigate._signup import signup
from omnigate_openai.types import Me, Signup

from ._support import driver, recorded_json

# --- live --------------------------------------------------------------------------------------------------------


def test_me_describes_the_seeded_project(live: Any, local_gateway: Any) -> None:
    me = live(lambda g: g.me())
    assert isinstance(me, Me)
    assert me.project_id == str(local_gateway.project.project_id)
    assert isinstance(me.daily_budget, Decimal)
    assert me.daily_budget == Decimal("0")
    assert sorted(me.configured_providers) == ["anthropic", "azure", "gemini", "openai"]


def test_me_shows_budgets_as_decimals(mode: str, local_gateway: Any) -> None:
    project = local_gateway.new_project(daily_budget="2.5", monthly_budget="30")
    with driver(mode, base_url=local_gateway.base_url, api_key=project.api_key) as gw:
        me = gw(lambda g: g.me())
    assert (me.daily_budget, me.monthly_budget) == (Decimal("2.5"), Decimal("30"))


def test_me_with_bad_key(mode: str, local_gateway: Any) -> None:
    with (
        driver(mode, base_url=local_gateway.base_url, api_key="llmg_wrong") as bad,
        pytest.raises(AuthError, match="Invalid API key") as caught,
    ):
        bad(lambda g: g.me())
    assert isinstance(caught.value, openai.AuthenticationError)


def test_signup_without_a_key_then_use_the_key(mode: str, local_gateway: Any) -> None:
    with driver(mode, base_url=local_gateway.base_url, _enforce_credentials=False) as anonymous:
        made = anonymous(lambda g: g.signup("dev@example.com", org_name="Dev Co", project_name="web"))
    assert isinstance(made, Signup)
    assert made.api_key not in repr(made)
    assert local_gateway.calls.last.json == {"email": "dev@example.com", "org_name": "Dev Co", "project_name": "web"}
    with driver(mode, base_url=local_gateway.base_url, api_key=made.api_key) as new:
        me = new(lambda g: g.me())
    assert (me.project_id, me.project_name, me.configured_providers) == (made.project_id, "web", [])


def test_module_level_signup_reads_the_base_url(monkeypatch: pytest.MonkeyPatch, local_gateway: Any) -> None:
    monkeypatch.delenv("OMNIGATE_API_KEY", raising=False)
    monkeypatch.setenv("OMNIGATE_BASE_URL", local_gateway.base_url)
    made = signup("env@example.com")
    assert made.email == "env@example.com"
    assert local_gateway.calls.last.json == {"email": "env@example.com"}
    assert signup("arg@example.com", base_url=local_gateway.base_url).org_id != made.org_id


@pytest.mark.parametrize("email", ["", "ab", "x" * 256])
def test_signup_refuses_bad_email_before_sending(live: Any, local_gateway: Any, email: str) -> None:
    with pytest.raises(ValueError, match="Expected an email of 3 to 255 characters"):
        live(lambda g: g.signup(email))
    assert local_gateway.calls.to("/v1/signup") == []


def test_clients_without_any_key_are_refused_except_for_signup(local_gateway: Any) -> None:
    from omnigate_openai import ConfigurationError

    with pytest.raises(ConfigurationError, match="OMNIGATE_API_KEY"):
        OpenAI(base_url=local_gateway.base_url, api_key=None)
    AsyncOpenAI(base_url=local_gateway.base_url, _enforce_credentials=False)


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------


def test_replay_signup(replay: Any) -> None:
    with replay("meta_signup_201", api_key=None, _enforce_credentials=False) as (gw, cassette):
        made = gw(lambda g: g.signup("new-dev@example.com", org_name="New Dev Co", project_name="web"))
    assert cassette.all_played
    assert made.model_dump() == recorded_json("meta_signup_201", 0)


@pytest.mark.parametrize(
    ("cassette", "setup"),
    [
        ("meta_me", ["me@example.com", "openai", "anthropic"]),
        ("auth_bearer_only", ["bearer@example.com"]),
        ("auth_x_api_key_beats_bad_bearer", ["both@example.com"]),
    ],
)
def test_replay_me(replay: Any, cassette: str, setup: list[str]) -> None:
    email, *providers = setup
    with replay(cassette) as (gw, played):
        gw(lambda g: g.signup(email))
        for provider in providers:
            gw(lambda g, p=provider: g.provider_keys.set(p, "<redacted-provider-key>"))
        me = gw(lambda g: g.me())
    assert played.all_played
    assert me.model_dump(mode="json") == recorded_json(cassette, -1)
    assert me.daily_budget == Decimal("0.0000")


def test_replay_admin_created_project_me_has_budgets(replay: Any) -> None:
    with replay("admin_created_project_key_works") as (gw, played):
        org = gw(lambda g: g.admin.orgs.create("acme-key-works"))
        gw(
            lambda g: g.admin.projects.create(
                org.id, "svc", daily_budget="2", monthly_budget="30", rate_limit_per_min=10
            )
        )
        me = gw(lambda g: g.me())
    assert played.all_played
    assert (me.daily_budget, me.monthly_budget, me.rate_limit_per_min) == (Decimal("2"), Decimal("30"), 10)
