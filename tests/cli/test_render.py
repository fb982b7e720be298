"""The renderables, as text: no terminal, no gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rich.console import Console

from _fakes import fake_key
from omnigate_openai.cli import _render
from omnigate_openai.types import CreatedApiKey, MetricsResponse, ModelInfo

METRICS = {
    "scope": "project",
    "scope_id": "p-1",
    "range_from": "2026-11-22T07:00:00Z",
    "range_to": "2026-11-23T07:00:00Z",
    "group_by": "model",
    "granularity": "hour",
    "totals": {
        "requests": 4, "prompt_tokens": 30, "completion_tokens": 20, "total_tokens": 50, "cost_usd": 1.2e-05,
        "error_rate": 0.25, "cache_hit_rate": 0.0, "avg_latency_ms": 12.0,
        "p50_latency_ms": 10.0, "p95_latency_ms": 20.0, "p99_latency_ms": None,
    },
    "breakdown": [{"key": "gpt-4o-mini", "requests": 4, "total_tokens": 50, "cost_usd": 1.2e-05,
                   "avg_latency_ms": 12.0, "error_rate": 0.25}],
    "timeseries": [
        {"bucket": "2026-11-23T05:00:00Z", "requests": 1, "total_tokens": 10, "cost_usd": 0.0, "error_rate": 1.0},
        {"bucket": "2026-11-23T06:00:00Z", "requests": 3, "total_tokens": 40, "cost_usd": 1.2e-05, "error_rate": 0.0},
    ],
}  # fmt: skip


def text(renderable: object) -> str:
    console = Console(width=120, record=True, color_system=None)
    with console.capture() as captured:
        console.print(renderable)
    return captured.get()


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(7.5e-05, "$0.000075"), (0.01, "$0.01"), (Decimal("2.5000"), "$2.5"), (0, "$0"), (None, "-")],
)
def test_usd_never_shows_float_noise(amount: object, shown: str) -> None:
    assert _render.usd(amount) == shown  # type: ignore[arg-type]


def test_metrics_report_has_totals_breakdown_and_chart() -> None:
    out = text(_render.metrics_report(MetricsResponse.construct(**METRICS)))
    assert "Project p-1: 2026-11-22 07:00 to 2026-11-23 07:00 UTC" in " ".join(out.split())  # titles wrap
    assert "25.0%" in out
    assert "10 ms / 20 ms / -" in out
    assert "By model" in out
    assert "gpt-4o-mini" in out
    chart = [line for line in out.splitlines() if "█" in line]
    assert len(chart) == 2
    assert chart[1].count("█") == 24  # the busiest bucket spans the chart
    assert chart[0].count("█") == 8


def test_model_table_shows_prices() -> None:
    card = ModelInfo.construct(id="gpt-4o-mini", owned_by="openai", provider="openai",
                               pricing={"input_per_1k_usd": 0.00015, "output_per_1k_usd": 0.0006})  # fmt: skip
    out = text(_render.model_table([card]))
    assert "gpt-4o-mini" in out
    assert "$0.00015" in out


def test_created_key_is_the_only_full_key() -> None:
    key = CreatedApiKey.construct(id="k-1", name="ci", key_prefix="llmg_abcdefg", created_at="2026-11-23T07:00:00Z",
                                  api_key=fake_key("llmg_", "abcdefghijklmnopqrstuvwxyz0123456789"))  # fmt: skip
    assert fake_key("llmg_", "abcdefghijklmnopqrstuvwxyz0123456789") in text(_render.created_key(key))
    assert _render.shown_key(key.api_key) == "llmg_abc***"


def test_doctor_report_marks_each_check() -> None:
    checks = [_render.Check("version", True, "omnigate 0.2.0"), _render.Check("gateway key", False, "Invalid API key")]
    out = text(_render.doctor_report(checks))
    assert "✓ version: omnigate 0.2.0" in out
    assert "✗ gateway key: Invalid API key" in out
    assert "1 check failed." in out
