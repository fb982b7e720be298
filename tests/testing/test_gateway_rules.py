"""The gateway's rules beyond single cassettes: limits over time, the breaker's cooldown, the cache,
request ids, metrics arithmetic and the offline provider's native behaviour."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

from ._clients import http_client

HELLO = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 10, 0, 5, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def client_for(gateway: LocalGateway, key: str | None = None) -> httpx.Client:
    return http_client(base_url=gateway.root_url, headers={"x-api-key": key or gateway.api_key}, timeout=10)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def timed_gateway(clock: FixedClock) -> Iterator[LocalGateway]:
    with LocalGateway(clock=clock, rate_limit_per_min=2) as gateway:
        yield gateway


def test_rate_limit_counts_chat_calls_per_minute(timed_gateway: LocalGateway, clock: FixedClock) -> None:
    with client_for(timed_gateway) as http:
        first, second = http.post("/v1/chat", json=HELLO), http.post("/v1/chat/completions", json=HELLO)
        assert [first.headers["x-ratelimit-remaining"], second.headers["x-ratelimit-remaining"]] == ["1", "0"]
        assert first.headers["x-ratelimit-reset"] == "55"
        third = http.post("/v1/chat", json=HELLO)
        assert third.status_code == 429
        assert third.headers["retry-after"] == "55"
        assert http.get("/v1/me").status_code == 200  # reads are never limited
        clock.advance(60)
        assert http.post("/v1/chat", json=HELLO).status_code == 200


def test_circuit_opens_after_five_failed_calls_and_half_opens_after_cooldown(
    timed_gateway: LocalGateway, clock: FixedClock
) -> None:
    project = timed_gateway.new_project(rate_limit_per_min=100)
    failing = {**HELLO, "messages": [{"role": "user", "content": "FAULT:503"}]}
    with client_for(timed_gateway, project.api_key) as http:
        statuses = [http.post("/v1/chat", json=failing).status_code for _ in range(6)]
        assert statuses == [503] * 6
        assert http.post("/v1/chat", json=HELLO).json() == {"detail": "openai circuit is open"}
        assert http.post("/v1/chat", json={**HELLO, "model": "claude-3-5-haiku-latest"}).status_code == 200
        clock.advance(30)
        assert http.post("/v1/chat", json=HELLO).status_code == 200  # the half-open trial succeeds
        assert http.post("/v1/chat", json=HELLO).status_code == 200
    other = timed_gateway.api_key  # the breaker is per project
    with client_for(timed_gateway, other) as http:
        assert http.post("/v1/chat", json=HELLO).status_code == 200


def test_four_xx_answers_do_not_open_the_circuit(local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(404, times=6)
    with client_for(local_gateway) as http:
        assert [http.post("/v1/chat", json=HELLO).status_code for _ in range(6)] == [404] * 6
        assert http.post("/v1/chat", json=HELLO).status_code == 200


def test_budget_headers_show_spend_before_the_call(local_gateway: LocalGateway) -> None:
    project = local_gateway.new_project(daily_budget="1", org_monthly_budget="5")
    with client_for(local_gateway, project.api_key) as http:
        first = http.post("/v1/chat", json={**HELLO, "model": "gpt-4-turbo"})
        second = http.post("/v1/chat", json=HELLO)
    assert first.json()["cost_usd"] == 0.00033
    assert first.headers["x-budget-project-daily-spend"] == "0.000000"
    assert second.headers["x-budget-project-daily-spend"] == "0.000330"
    assert second.headers["x-budget-project-daily-limit"] == "1.0000"
    assert second.headers["x-budget-org-monthly-spend"] == "0.000330"
    assert second.headers["x-budget-org-monthly-limit"] == "5.0000"
    assert "x-budget-project-monthly-spend" not in second.headers


@pytest.mark.local_gateway(cache_enabled=True)
def test_the_cache_serves_temperature_zero_calls(local_gateway: LocalGateway) -> None:
    cached = {**HELLO, "temperature": 0}
    with client_for(local_gateway) as http:
        miss, hit = http.post("/v1/chat", json=cached), http.post("/v1/chat", json=cached)
        assert (miss.json()["cached"], hit.json()["cached"]) == (False, True)
        assert hit.json()["id"] == miss.json()["id"]
        assert hit.json()["cost_usd"] == 0.0
        assert http.post("/v1/chat", json={**cached, "cache": False}).json()["cached"] is False
        assert http.post("/v1/chat", json={**HELLO, "temperature": 0.5}).json()["cached"] is False
        http.post("/v1/chat/completions", json=cached)  # compat: a hit that looks like a live answer
    statuses = [r.status for r in local_gateway.state.usage]
    assert statuses == ["ok", "cache_hit", "ok", "ok", "cache_hit"]


def test_the_cache_is_off_unless_enabled_or_asked(local_gateway: LocalGateway) -> None:
    with client_for(local_gateway) as http:
        assert [http.post("/v1/chat", json={**HELLO, "temperature": 0}).json()["cached"] for _ in range(2)] == [
            False,
            False,
        ]
        answers = [http.post("/v1/chat", json={**HELLO, "temperature": 0, "cache": True}) for _ in range(2)]
    assert [a.headers["x-llmgw-cached"] for a in answers] == ["false", "true"]


def test_request_ids_follow_the_servers_rules(local_gateway: LocalGateway) -> None:
    hex32, dashed = (
        re.compile(r"[0-9a-f]{32}"),
        re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"),
    )
    with client_for(local_gateway) as http:
        compat = http.post("/v1/chat/completions", json=HELLO)
        assert hex32.fullmatch(compat.headers["x-request-id"])
        assert compat.json()["id"] != compat.headers["x-request-id"]
        assert (
            http.post("/v1/chat/completions", json=HELLO, headers={"x-request-id": "mine"}).headers["x-request-id"]
            == "mine"
        )
        native = http.post("/v1/chat", json=HELLO, headers={"x-request-id": "mine"})
        assert dashed.fullmatch(native.headers["x-request-id"])  # the router's own id wins
        stream = http.post("/v1/chat/completions", json={**HELLO, "stream": True})
        assert stream.headers["x-request-id"] == stream.text.split('"id":"', 1)[1].split('"', 1)[0]
        assert http.get("/v1/nope", headers={"x-request-id": "rid"}).headers["x-request-id"] == "rid"
    filed_under = [row.request_id for row in local_gateway.state.usage]
    assert filed_under == [
        compat.json()["id"],
        filed_under[1],
        native.headers["x-request-id"],
        stream.headers["x-request-id"],
    ]


def test_an_over_long_user_id_breaks_non_stream_calls_only(local_gateway: LocalGateway) -> None:
    long_user = {"x-user-id": "u" * 256}
    with client_for(local_gateway) as http:
        broken = http.post("/v1/chat", json=HELLO, headers=long_user)
        assert (broken.status_code, broken.text, broken.headers.get("x-request-id")) == (
            500,
            "Internal Server Error",
            None,
        )
        assert (
            http.post("/v1/chat", json={**HELLO, "stream": True}, headers=long_user).text
            == "Hello there! How can I help?"
        )
        assert http.post("/v1/chat", json=HELLO, headers={"x-user-id": "u" * 255}).status_code == 200
    assert len(local_gateway.state.usage) == 1


def test_metrics_group_and_window(local_gateway: LocalGateway) -> None:
    with client_for(local_gateway) as http:
        http.post("/v1/chat", json=HELLO, headers={"x-user-id": "alice"})
        http.post("/v1/chat", json={**HELLO, "messages": [{"role": "user", "content": "FAULT:401"}]})
        http.post("/v1/chat/completions", json={**HELLO, "stream": True}, headers={"x-user-id": "bob"})
        by_status = http.get("/v1/metrics", params={"group_by": "status", "range": "1h"}).json()
        by_user = http.get("/v1/metrics", params={"group_by": "user"}).json()
        naive = http.get("/v1/metrics", params={"from": "2026-01-01T00:00:00"})
        garbage = http.get("/v1/metrics", params={"from": "yesterday"})
    assert by_status["granularity"] == "minute"
    assert [(row["key"], row["requests"]) for row in by_status["breakdown"]] == [("ok", 2), ("error", 1)]
    assert by_status["totals"]["requests"] == 3
    assert by_status["totals"]["error_rate"] == pytest.approx(1 / 3)
    assert by_status["totals"]["cost_usd"] == 1.2e-05
    assert {row["key"] for row in by_user["breakdown"]} == {"alice", "bob", "unknown"}
    assert (naive.status_code, naive.json()) == (422, {"detail": "'from' must be timezone-aware"})
    assert garbage.json() == {"detail": "Invalid isoformat string: 'yesterday'"}


def test_org_metrics_are_admin_only(local_gateway: LocalGateway) -> None:
    org = local_gateway.project.org_id
    with client_for(local_gateway) as http:
        http.post("/v1/chat", json=HELLO)
        admin = {"x-admin-key": local_gateway.admin_key}
        assert http.get(f"/v1/admin/orgs/{org}/metrics").status_code == 401
        body = http.get(f"/v1/admin/orgs/{org}/metrics", headers=admin).json()
        assert (body["scope"], body["scope_id"], body["totals"]["requests"]) == ("org", str(org), 1)
        missing = http.get("/v1/admin/orgs/00000000-0000-4000-8000-000000000000/metrics", headers=admin)
        assert (missing.status_code, missing.json()) == (404, {"detail": "Organisation not found"})
        assert http.get("/v1/admin/orgs/nope/metrics", headers=admin).json()["detail"][0]["loc"] == ["path", "org_id"]


def _native(http: httpx.Client, **body: Any) -> dict[str, Any]:
    answer = http.post("/v1/chat", json={**HELLO, **body})
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


@pytest.mark.parametrize(
    ("model", "cut_by_length", "cut_by_stop"),
    [
        ("gpt-4o-mini", "length", "stop"),
        ("claude-3-5-haiku-latest", "max_tokens", "stop_sequence"),
        ("gemini-1.5-flash", "MAX_TOKENS", "STOP"),
    ],
)
def test_provider_native_finish_reasons(
    local_gateway: LocalGateway, model: str, cut_by_length: str, cut_by_stop: str
) -> None:
    with client_for(local_gateway) as http:
        short = _native(http, model=model, max_tokens=3)
        stopped = _native(http, model=model, stop=["How"])
    assert (short["content"], short["finish_reason"], short["usage"]["completion_tokens"]) == (
        "Hello there!",
        cut_by_length,
        3,
    )
    assert (stopped["content"], stopped["finish_reason"]) == ("Hello there! ", cut_by_stop)


def test_gemini_markers_and_routing_variants(local_gateway: LocalGateway) -> None:
    with client_for(local_gateway) as http:
        safety = _native(http, model="models/gemini-1.5-flash", messages=[{"role": "user", "content": "FAULT:SAFETY"}])
        blocked = http.post(
            "/v1/chat",
            json={**HELLO, "model": "gemini-1.5-flash", "messages": [{"role": "user", "content": "FAULT:BLOCKED"}]},
        )
        length = _native(http, messages=[{"role": "user", "content": "FAULT:LENGTH"}])
        azure = _native(http, model="azure/gpt-4o")
        azure_default = _native(http, model="azure-anything")
    assert (safety["content"], safety["finish_reason"], safety["model"]) == ("", "SAFETY", "gemini-1.5-flash-002")
    assert (blocked.status_code, blocked.json()) == (400, {"detail": "Gemini returned no candidates: SAFETY"})
    assert length["finish_reason"] == "length"
    assert (azure["provider"], azure["model"], azure["cost_usd"]) == ("azure", "gpt-4o-2024-08-06", 0.000102)
    assert azure_default["model"] == "gpt-4o-mini-2024-07-18"  # the stored meta.deployment


def test_azure_keys_need_meta(local_gateway: LocalGateway) -> None:
    with client_for(local_gateway) as http:
        no_deployment = http.post(
            "/v1/keys", json={"provider": "azure", "api_key": "azure-key-0000", "meta": {"endpoint": "https://x"}}
        )
        plain_http = http.post(
            "/v1/keys", json={"provider": "azure", "api_key": "azure-key-0000", "meta": {"endpoint": "http://x"}}
        )
    assert no_deployment.json() == {"detail": "Azure provider requires meta.deployment (the deployment name)."}
    assert plain_http.json() == {"detail": "Azure provider requires meta.endpoint (an https:// URL)."}


def test_routing_errors_and_auth_precedence(local_gateway: LocalGateway) -> None:
    bare = local_gateway.new_project(providers=())
    with client_for(local_gateway, bare.api_key) as http:
        missing = http.post("/v1/chat", json={**HELLO, "model": "gemini-1.5-flash"})
        masked = http.post("/v1/chat", json={**HELLO, "fallback_models": ["claude-3-5-haiku-latest"]})
    assert missing.json() == {"detail": "No gemini key configured for this project. Add one via POST /v1/keys."}
    assert masked.json() == {"detail": "No anthropic key configured for this project. Add one via POST /v1/keys."}
    with http_client(base_url=local_gateway.root_url) as anonymous:
        assert anonymous.post("/v1/chat", json={"model": 1}).status_code == 401  # auth before validation
        assert anonymous.post("/v1/chat", content=b"{").status_code == 422  # unparseable before auth
        basic = anonymous.get("/v1/me", headers={"authorization": f"Basic {local_gateway.api_key}"})
        assert basic.json() == {"detail": "Missing x-api-key header (or Authorization: Bearer token)"}
        bearer = anonymous.get("/v1/me", headers={"authorization": f"bearer  {local_gateway.api_key}"})
        assert bearer.status_code == 200
        assert anonymous.delete("/v1/models").headers["allow"] == "GET"
