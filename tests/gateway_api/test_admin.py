"""`admin.orgs.*` and `admin.projects.*` with `x-admin-key`: live, replayed, and every refusal."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import openai
import pytest

from omnigate_openai import APIError, AuthError, ConfigurationError
from omnigate_openai.types import CreatedProject, MetricsResponse, Org, Project

from ._support import driver, recorded_json

UNKNOWN_ORG = "00000000-0000-4000-8000-000000000000"

# --- live --------------------------------------------------------------------------------------------------------


def test_orgs_and_projects(live: Any, local_gateway: Any) -> None:
    org = live(lambda g: g.admin.orgs.create("acme", daily_budget=Decimal("10"), monthly_budget="250.5"))
    assert isinstance(org, Org)
    assert (org.daily_budget, org.monthly_budget) == (Decimal("10.0000"), Decimal("250.5000"))
    assert local_gateway.calls.last.headers["x-admin-key"] == local_gateway.admin_key
    assert org.id in [o.id for o in live(lambda g: g.admin.orgs.list())]

    project = live(lambda g: g.admin.projects.create(org.id, "backend", daily_budget="1.5", rate_limit_per_min=120))
    assert isinstance(project, CreatedProject)
    assert project.api_key not in repr(project)
    assert (project.rate_limit_per_min, project.daily_budget) == (120, Decimal("1.5"))

    listed = live(lambda g: g.admin.projects.list(org_id=org.id))
    assert [(type(p), p.id) for p in listed] == [(Project, project.id)]
    assert "api_key" not in listed[0].model_dump()
    assert project.id in [p.id for p in live(lambda g: g.admin.projects.list())]


def test_org_metrics(live: Any, local_gateway: Any) -> None:
    hello = [{"role": "user", "content": "Say hello."}]
    live(lambda _: live.client.chat.completions.create(model="gpt-4o-mini", messages=hello))
    org_id = str(local_gateway.project.org_id)
    result = live(lambda g: g.admin.orgs.metrics(org_id, range="1h", group_by="provider"))
    assert isinstance(result, MetricsResponse)
    assert (result.scope, result.scope_id, result.totals.requests) == ("org", org_id, 1)
    assert [row.key for row in result.breakdown] == ["openai"]
    with pytest.raises(ValueError, match=re.escape("'range' is mutually exclusive with 'from'/'to'")):
        live(lambda g: g.admin.orgs.metrics(org_id, range="1h", to="2026-01-01T00:00:00Z"))


def test_unknown_org(live: Any) -> None:
    with pytest.raises(APIError, match="Organisation not found") as caught:
        live(lambda g: g.admin.projects.create(UNKNOWN_ORG, "orphan"))
    assert isinstance(caught.value, openai.NotFoundError)
    with pytest.raises(APIError, match="Organisation not found"):
        live(lambda g: g.admin.orgs.metrics(UNKNOWN_ORG))


def test_non_admin_key_on_admin_calls(mode: str, local_gateway: Any) -> None:
    """A gateway key is not an admin key, whichever way it is sent."""
    key = local_gateway.api_key
    with driver(mode, base_url=local_gateway.base_url, api_key=key, admin_key=key) as wrong:
        with pytest.raises(AuthError, match="Invalid or missing x-admin-key") as caught:
            wrong(lambda g: g.admin.orgs.list())
        assert isinstance(caught.value, openai.AuthenticationError)
        with pytest.raises(AuthError, match="Invalid or missing x-admin-key"):
            wrong(lambda g: g.admin.orgs.create("x"))


def test_missing_admin_key_is_refused_before_sending(mode: str, local_gateway: Any) -> None:
    with (
        driver(mode, base_url=local_gateway.base_url, api_key=local_gateway.api_key) as keyed,
        pytest.raises(ConfigurationError, match=r"pass `admin_key=` to the client or set `OMNIGATE_ADMIN_KEY`"),
    ):
        keyed(lambda g: g.admin.projects.list())
    assert local_gateway.calls.to("/v1/admin/projects") == []


def test_admin_only_client(mode: str, local_gateway: Any) -> None:
    with driver(mode, base_url=local_gateway.base_url, admin_key=local_gateway.admin_key) as operator:
        assert operator(lambda g: g.admin.orgs.list())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": ""}, "Expected a name of 1 to 255 characters, got ''"),
        ({"name": "x", "monthly_budget": 1.5}, "Expected monthly_budget as a Decimal, int or decimal text in USD"),
        ({"name": "x", "daily_budget": "lots"}, "Expected daily_budget as a decimal amount in USD, got 'lots'"),
    ],
)
def test_bad_org_arguments(live: Any, local_gateway: Any, arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        live(lambda g: g.admin.orgs.create(**arguments))
    assert local_gateway.calls.to("/v1/admin/orgs") == []


NO_BUDGET = [  # a budget no gateway keeps, and how it is shown
    ("1e9999", "'1e9999'"),
    ("Infinity", "'Infinity'"),
    ("-inf", "'-inf'"),
    ("NaN", "'NaN'"),
    (Decimal("Infinity"), "Decimal('Infinity')"),
    (Decimal("sNaN"), "Decimal('sNaN')"),
    (-1, "-1"),
    ("-0.5", "'-0.5'"),
    (10**8, "100000000"),
    ("100000000.0000", "'100000000.0000'"),
]
NOT_DECIMAL = [(float("inf"), "inf"), (float("nan"), "nan"), (1e9999, "inf"), (True, "True")]


@pytest.mark.parametrize("field", ["daily_budget", "monthly_budget"])
@pytest.mark.parametrize("kind", ["orgs", "projects"])
def test_a_budget_past_what_the_gateway_keeps_is_refused_naming_the_field(
    live: Any, local_gateway: Any, kind: str, field: str
) -> None:
    """`"1e9999"` passed: a finite decimal, which the gateway's `Numeric(12,4)` column cannot hold."""
    create = {
        "orgs": lambda g, budget: g.admin.orgs.create("acme", **{field: budget}),
        "projects": lambda g, budget: g.admin.projects.create(UNKNOWN_ORG, "backend", **{field: budget}),
    }[kind]
    for budget, shown in NO_BUDGET:
        with pytest.raises(ValueError, match=field) as caught:
            live(lambda g, budget=budget: create(g, budget))
        assert type(caught.value) is ValueError
        assert str(caught.value) == f"Expected {field} from 0 to 99999999.9999 USD (0 means unlimited), got {shown}"
    for budget, shown in NOT_DECIMAL:
        with pytest.raises(ValueError, match=field) as caught:
            live(lambda g, budget=budget: create(g, budget))
        assert str(caught.value) == f"Expected {field} as a Decimal, int or decimal text in USD, got {shown}"
    assert list(local_gateway.calls) == []
    largest = live(lambda g: g.admin.orgs.create("acme", **{field: "99999999.9999"}))
    assert getattr(largest, field) == Decimal("99999999.9999")


@pytest.mark.parametrize("field", ["daily_budget", "monthly_budget"])
@pytest.mark.parametrize(
    ("budget", "shown"),
    [("0.00004", "'0.00004'"), (Decimal("12.34567"), "Decimal('12.34567')"), ("1.00001", "'1.00001'")],
)
def test_a_budget_finer_than_the_gateway_keeps_is_refused(
    live: Any, local_gateway: Any, field: str, budget: Any, shown: str
) -> None:
    """The gateway's `Numeric(12,4)` column rounds to 4 decimal places: `"0.00004"` would be stored as 0, which means
    unlimited, and `"12.34567"` as another budget than the one asked for."""
    with pytest.raises(ValueError, match=field) as caught:
        live(lambda g: g.admin.orgs.create("acme", **{field: budget}))
    assert str(caught.value) == (
        f"Expected {field} in whole ten-thousandths of a USD (the gateway keeps 4 decimal places), got {shown}"
    )
    assert list(local_gateway.calls) == []
    kept = live(lambda g: g.admin.orgs.create("acme", **{field: "12.3400000"}))  # trailing zeros are no finer
    assert getattr(kept, field) == Decimal("12.34")


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.admin.orgs.metrics("acme", range="1h"),
        lambda g: g.admin.projects.create("acme", "backend"),
        lambda g: g.admin.projects.list(org_id="acme"),
    ],
    ids=["orgs.metrics", "projects.create", "projects.list"],
)
def test_a_non_uuid_org_id_is_refused_before_sending(live: Any, local_gateway: Any, call: Any) -> None:
    """The gateway would answer 422 (or 404); the README promises a ValueError before anything is sent."""
    with pytest.raises(ValueError, match=re.escape("Expected org_id as a UUID, got 'acme'")):
        live(call)
    assert list(local_gateway.calls) == []


def test_bad_rate_limit(live: Any) -> None:
    with pytest.raises(ValueError, match="Expected rate_limit_per_min as an int >= 1, got 0"):
        live(lambda g: g.admin.projects.create(UNKNOWN_ORG, "p", rate_limit_per_min=0))


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------


def test_replay_create_org(replay: Any) -> None:
    with replay("admin_create_org_201") as (gw, played):
        org = gw(lambda g: g.admin.orgs.create("acme-create", daily_budget=10, monthly_budget="250.5"))
    assert played.all_played
    assert org.model_dump(mode="json") == recorded_json("admin_create_org_201", 0)


def test_replay_create_project(replay: Any) -> None:
    with replay("admin_create_project_201") as (gw, played):
        org = gw(lambda g: g.admin.orgs.create("acme-project"))
        project = gw(lambda g: g.admin.projects.create(org.id, "backend", daily_budget="1.5", rate_limit_per_min=120))
    assert played.all_played
    assert project.model_dump(mode="json") == recorded_json("admin_create_project_201", 1)


def test_replay_list_orgs(replay: Any) -> None:
    with replay("admin_list_orgs") as (gw, played):
        gw(lambda g: g.admin.orgs.create("acme-list-orgs", daily_budget="5", monthly_budget="100"))
        orgs = gw(lambda g: g.admin.orgs.list())
    assert played.all_played
    assert [o.model_dump(mode="json") for o in orgs] == recorded_json("admin_list_orgs", 1)


def test_replay_list_projects(replay: Any) -> None:
    with replay("admin_list_projects_all") as (gw, played):
        org = gw(lambda g: g.admin.orgs.create("acme-list-projects-all"))
        gw(lambda g: g.admin.projects.create(org.id, "proj-a"))
        projects = gw(lambda g: g.admin.projects.list())
    assert played.all_played
    assert [p.model_dump(mode="json") for p in projects] == recorded_json("admin_list_projects_all", 2)


def test_replay_list_projects_by_org(replay: Any) -> None:
    with replay("admin_list_projects_by_org") as (gw, played):
        org = gw(lambda g: g.admin.orgs.create("acme-filter"))
        gw(lambda g: g.admin.projects.create(org.id, "p1"))
        gw(lambda g: g.admin.projects.create(org.id, "p2", monthly_budget="20"))
        projects = gw(lambda g: g.admin.projects.list(org_id=org.id))
    assert played.all_played
    assert [p.name for p in projects] == ["p1", "p2"]


def test_replay_unknown_org(replay: Any) -> None:
    with replay("admin_unknown_org_404") as (gw, _), pytest.raises(APIError, match="Organisation not found"):
        gw(lambda g: g.admin.projects.create(UNKNOWN_ORG, "orphan"))


@pytest.mark.parametrize(
    ("cassette", "call"),
    [
        ("admin_wrong_key_401", lambda g: g.admin.orgs.list()),
        ("admin_missing_key_401", lambda g: g.admin.orgs.create("x")),
        ("admin_gateway_key_rejected_401", lambda g: g.admin.orgs.list()),
    ],
)
def test_replay_admin_refusals(replay: Any, cassette: str, call: Any) -> None:
    with replay(cassette, admin_key="llmg_<redacted-1>") as (gw, played):
        if cassette == "admin_gateway_key_rejected_401":
            gw(lambda g: g.signup("admin-probe@example.com"))
        with pytest.raises(AuthError, match="Invalid or missing x-admin-key"):
            gw(call)
    assert played.all_played
