"""The benchmark runs, end to end, and writes valid results: a few iterations of everything, no stopwatch.

Nothing here asserts a speed: the numbers of a smoke run on a shared machine mean nothing. What it
proves is that `python -m bench` still starts its server, drives every contender through every
scenario, computes ratios and targets, and writes strict JSON.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCENARIOS = {
    "call.sync",
    "call.async",
    "stream.sse.sync",
    "stream.sse.async",
    "import",
    "client.new",
    "copy.with_user",
    "copy.with_options",
    "concurrency.sse",
}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    command = [sys.executable, "-m", "bench", "--quick", "--other-python", "none", "--no-chart", "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(out.read_text(), parse_constant=_reject), done.stdout


def _reject(constant: str) -> None:
    raise AssertionError(f"results.json must be strict JSON, found {constant}")


@pytest.mark.timeout(150)
def test_every_scenario_is_measured_for_the_shim_and_plain_openai(smoke_run: tuple[dict[str, object], str]) -> None:
    results, _ = smoke_run
    rows = results["rows"]
    assert isinstance(rows, list)
    assert {row["scenario"] for row in rows} >= SCENARIOS
    for scenario in SCENARIOS - {"import"}:
        contenders = {row["contender"] for row in rows if row["scenario"] == scenario}
        assert {"omnigate_openai", "openai"} <= contenders, scenario
    assert {row["contender"] for row in rows} >= {"omnigate_openai", "openai", "raw httpx (floor)"}


def test_rows_carry_finite_values_and_ratios_to_plain_openai(smoke_run: tuple[dict[str, object], str]) -> None:
    results, _ = smoke_run
    rows = results["rows"]
    assert isinstance(rows, list)
    for row in rows:
        assert set(row) >= {"scenario", "contender", "sdk", "metric", "value", "unit", "n", "ratio"}, row
        assert isinstance(row["value"], (int, float)), row
        assert math.isfinite(row["value"]), row
        if row["contender"] == "openai" and row["value"]:
            assert row["ratio"] == pytest.approx(1.0), row


def test_guarded_rows_are_set_against_the_shim_they_were_paired_with(
    smoke_run: tuple[dict[str, object], str],
) -> None:
    results, _ = smoke_run
    rows = results["rows"]
    assert isinstance(rows, list)
    guarded = [row for row in rows if row["contender"].startswith("omnigate_openai + guard")]
    assert {(row["scenario"], row["contender"]) for row in guarded} >= {
        ("call.sync", "omnigate_openai + guard (memory)"),
        ("call.async", "omnigate_openai + guard (memory)"),
        ("conversation.sync", "omnigate_openai + guard (memory)"),
        ("conversation.async", "omnigate_openai + guard (memory)"),
    }
    for row in guarded:
        if row["scenario"].startswith(("call.", "conversation.")):
            assert row["unguarded"] > 0, row
            assert row["ratio_unguarded"] == pytest.approx(row["value"] / row["unguarded"]), row
            assert row["added_to_unguarded"] == pytest.approx(row["value"] - row["unguarded"]), row


def test_streams_are_complete_and_concurrent_streams_fail_none(smoke_run: tuple[dict[str, object], str]) -> None:
    results, _ = smoke_run
    rows = results["rows"]
    assert isinstance(rows, list)
    errors = [row for row in rows if row["scenario"] == "concurrency.sse" and row["metric"] == "errors"]
    assert errors
    assert all(row["value"] == 0 for row in errors), errors
    chunks = [row for row in rows if row["scenario"] == "stream.sse.sync" and row["metric"] == "cpu_per_chunk"]
    assert all(row["n"] == 22 for row in chunks), chunks  # role primer + 20 deltas + final frame, every contender
    for mode in ("sync", "async"):
        native = [
            row for row in rows if row["scenario"] == f"stream.native.{mode}" and row["metric"] == "cpu_per_chunk"
        ]
        pieces = {row["contender"]: row["n"] for row in native}
        assert pieces["omnigate_openai"] == pieces["raw httpx (floor)"] >= 20, pieces  # `.text()`: a piece per read
        assert pieces["omnigate_openai (chunks)"] == pieces["omnigate_openai"] + 1, pieces  # and the `stop` chunk


def test_the_run_records_its_conditions_and_targets(smoke_run: tuple[dict[str, object], str]) -> None:
    results, stdout = smoke_run
    assert results["profile"]["name"] == "quick"  # type: ignore[index]
    assert {"platform", "python", "cpus", "loadavg_at_start"} <= set(results["machine"])  # type: ignore[arg-type]
    targets = results["targets"]
    assert isinstance(targets, list)
    assert targets
    assert all(isinstance(target["met"], bool) for target in targets)
    assert "| contender | sdk |" in stdout
    assert "**Targets**" in stdout


def test_the_chart_is_drawn_from_the_rows(smoke_run: tuple[dict[str, object], str], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    sys.path.insert(0, str(ROOT))
    try:
        from bench import report
    finally:
        sys.path.remove(str(ROOT))
    results, _ = smoke_run
    png = tmp_path / "chart.png"
    assert report.chart(results["rows"], png) is None  # type: ignore[arg-type]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_emulation_rows_run_alone() -> None:
    """`python -m bench.emulation --quick`: its own server, the three call rows and the two stream rows, with ratios."""
    command = [sys.executable, "-m", "bench.emulation", "--quick"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.splitlines()
    assert [line.split()[2] for line in lines] == ["emulation.call"] * 3 + ["emulation.stream"] * 2
    assert all("ratio " in line and "ratio_plain " in line for line in lines)
