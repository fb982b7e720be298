"""The local gateway's per-request work does not grow with its stored usage history (issue 13, item 23).

Budgets are checked on every chat request; they read running daily totals, never the usage rows,
so a load test is as fast in its last minute as in its first. The speed itself is measured in
`bench/gateway_load.py`; here the rows are made unreadable and the answers must still be right.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway, UsageRecord

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
HELLO = [{"role": "user", "content": "Say hello."}]


class _Unreadable(list):  # type: ignore[type-arg]
    """The usage list, appendable but failing the test if a request reads it back."""

    def __iter__(self) -> Any:
        raise AssertionError("a request read the whole usage history")


def _row(gateway: LocalGateway, when: datetime, cost: str, *, project_id: uuid.UUID | None = None) -> UsageRecord:
    return UsageRecord(
        request_id=uuid.uuid4().hex,
        project_id=project_id or gateway.project.project_id,
        org_id=gateway.project.org_id,
        user_id=None,
        provider="openai",
        model="gpt-4o-mini-2024-07-18",
        prompt_tokens=9,
        completion_tokens=8,
        cost=Decimal(cost),
        latency_ms=1,
        status="ok",
        created_at=when,
    )


@pytest.mark.local_gateway(clock=lambda: NOW)
def test_budget_checks_read_running_totals_not_rows(local_gateway: LocalGateway) -> None:
    state = local_gateway.state
    other_project = uuid.uuid4()
    for _ in range(1000):
        state.record_usage(_row(local_gateway, NOW - timedelta(hours=1), "0.000010"))  # today
        state.record_usage(_row(local_gateway, NOW - timedelta(days=3), "0.000100"))  # this month, not today
        state.record_usage(_row(local_gateway, NOW - timedelta(days=40), "1.000000"))  # last month
        state.record_usage(_row(local_gateway, NOW, "5.000000", project_id=other_project))  # another project
    state.usage = _Unreadable(state.usage)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=HELLO)
    assert raw.headers["x-budget-project-daily-spend"] == "0.010000"
    assert raw.headers["x-budget-org-daily-spend"] == "5000.010000"
    budgets = {(b.scope, b.period): b.spend for b in og.meta(raw).budgets}
    assert budgets[("project", "daily")] == Decimal("0.01")
    assert state.spend(since=NOW.replace(day=1, hour=0), project_id=local_gateway.project.project_id) == Decimal(
        "0.110006"
    )  # the history plus this call's 0.000006


@pytest.mark.local_gateway(clock=lambda: NOW)
def test_metrics_read_only_the_asking_projects_rows(local_gateway: LocalGateway) -> None:
    state = local_gateway.state
    for _ in range(100):
        state.record_usage(_row(local_gateway, NOW - timedelta(minutes=1), "0.000010"))
        state.record_usage(_row(local_gateway, NOW, "0.000010", project_id=uuid.uuid4()))
    assert len(state.usage_for(project_id=local_gateway.project.project_id)) == 100
    assert len(state.usage_for(org_id=local_gateway.project.org_id)) == 200
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        assert client.gateway.metrics(range="1h").totals.requests == 100
