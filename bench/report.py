"""Ratios, the table, the targets, `results.json` and the chart.

Each row's `ratio` is its value over plain `openai` 3.x's value for the same scenario and metric in
the same run (the native text stream is set against `openai`'s SSE stream of the same mode). Rows
measured under another `openai` major also get `ratio_own_sdk`, against plain `openai` of that
major, interleaved in the same process; native-stream rows get `ratio_omnigate`. A guarded call's
rows are set only against the unguarded shim they were paired with (`ratio_unguarded`,
`added_to_unguarded`). The shim reads the native stream twice: as text (`.text()`, what omnigate
0.2's `chat_stream` yields, so the row the target compares) and as typed chunks (the
`omnigate_openai (chunks)` row).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .contenders import BASELINE, OMNIGATE, SHIM
from .guarded import GUARD_MEMORY, GUARD_REDIS

__all__ = ["add_ratios", "chart", "markdown", "targets", "write_json"]

Row = dict[str, Any]

_SCENARIOS = {
    "call.sync": "Non-streaming call, sync",
    "call.async": "Non-streaming call, async",
    "stream.sse.sync": "Streamed chat.completions (SSE), sync",
    "stream.sse.async": "Streamed chat.completions (SSE), async",
    "stream.native.sync": "Native text stream (`/v1/chat`), sync: ratio to openai's SSE; `og` = to omnigate 0.2",
    "stream.native.async": "Native text stream (`/v1/chat`), async: ratio to openai's SSE; `og` = to omnigate 0.2",
    "import": "Import in a fresh interpreter (median)",
    "client.new": "A new client (not a copy)",
    "copy.with_user": (
        "A per-user copy (`with_user(u)`; plain openai: `with_options(default_headers={'x-user-id': u})`)"
    ),
    "copy.with_options": "A `with_options(timeout=5.0)` copy",
    "concurrency.sse": "Concurrent async streams on one new client",
    "guard.redis": "A guarded call's Redis round trip alone (a reservation carrying the last settlement)",
    "conversation.sync": "An agent-shaped call (system prompt, three turns), sync: the memory guard's pairing",
    "conversation.async": "An agent-shaped call (system prompt, three turns), async: the memory guard's pairing",
    "concurrency.native": "Concurrent async streams on one new client (native text stream)",
    "emulation.call": "Tool emulation: a call with 5 tools and a 2 KB answer; ratio to native tools, and to no tools",
    "emulation.stream": "Tool emulation: the 2 KB envelope in 16-char deltas, per gateway chunk; ratio to plain",
    "responses.call": "`responses.create` over chat: ratio to the same `chat.completions.create` call",
    "responses.stream": "`responses.create(stream=True)` over chat, per call: ratio to the same chat stream",
}
_OWN_RATIO = ("emulation.", "responses.")
"""Scenarios whose rows carry their own ratio (to the same plain call), set where they are measured."""
_HIGHER_IS_BETTER = {"chunks_per_s"}
_COMPARED_TO = {"stream.native.sync": "stream.sse.sync", "stream.native.async": "stream.sse.async"}


def _major(sdk: str) -> int | None:
    name, _, version = sdk.partition(" ")
    return int(version.split(".")[0]) if name == "openai" and version else None


def _index(rows: Iterable[Row], contender: str, major: int | None = None) -> dict[tuple[str, str], float]:
    return {
        (row["scenario"], row["metric"]): row["value"]
        for row in rows
        if row["contender"] == contender and (major is None or _major(row["sdk"]) == major)
    }


def _ratio(value: float, baseline: float | None) -> float | None:
    if baseline is None or not baseline or math.isnan(baseline) or math.isnan(value):
        return None
    return value / baseline


def add_ratios(rows: list[Row]) -> list[Row]:
    majors = {_major(row["sdk"]) for row in rows if row["contender"] == BASELINE} - {None}
    newest = max(majors) if majors else None
    baseline = _index(rows, BASELINE, newest)
    per_major = {major: _index(rows, BASELINE, major) for major in majors}
    omnigate = _index(rows, OMNIGATE)
    for row in rows:
        if row["scenario"].startswith(_OWN_RATIO):
            continue
        major = _major(row["sdk"])
        if row["contender"] in (GUARD_MEMORY, GUARD_REDIS):
            # Only against the unguarded shim it was paired with: plain openai's row is another measurement.
            unguarded = row.get("unguarded")
            if unguarded is None:  # a results file from before guarded rows carried their pairing's shim
                unguarded = _index(rows, SHIM, major).get((row["scenario"], row["metric"]))
            row["ratio"] = None
            row["ratio_unguarded"] = _ratio(row["value"], unguarded)
            row["added_to_unguarded"] = None if unguarded is None else row["value"] - unguarded
            continue
        key = (_COMPARED_TO.get(row["scenario"], row["scenario"]), row["metric"])
        row["ratio"] = _ratio(row["value"], baseline.get(key))
        if major is not None and major != newest and major in per_major:
            row["ratio_own_sdk"] = _ratio(row["value"], per_major[major].get(key))
        if row["scenario"].startswith("stream.native"):
            row["ratio_omnigate"] = _ratio(row["value"], omnigate.get((row["scenario"], row["metric"])))
    return rows


def _cell(row: Row) -> str:
    value = row["value"]
    text = f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"
    text += f" {row['unit']}" if row["unit"] else ""
    ratios = []
    if row.get("ratio") is not None:
        ratios.append(f"{row['ratio']:.2f}x")
    if row.get("ratio_own_sdk") is not None:
        ratios.append(f"{row['ratio_own_sdk']:.2f}x own")
    if row.get("ratio_omnigate") is not None:
        ratios.append(f"{row['ratio_omnigate']:.2f}x og")
    if row.get("ratio_plain") is not None:
        ratios.append(f"{row['ratio_plain']:.2f}x plain")
    if row.get("ratio_unguarded") is not None:
        ratios.append(f"{row['ratio_unguarded']:.2f}x unguarded")
    return f"{text} ({', '.join(ratios)})" if ratios else text


def markdown(rows: list[Row]) -> str:
    """One table per scenario: a line per contender, a column per metric, each value with its ratios."""
    out: list[str] = []
    for scenario, title in _SCENARIOS.items():
        chosen = [row for row in rows if row["scenario"] == scenario]
        if not chosen:
            continue
        metrics = list(dict.fromkeys(row["metric"] for row in chosen))
        lines = list(dict.fromkeys((row["contender"], row["sdk"]) for row in chosen))
        n = max(row["n"] for row in chosen)
        out += [f"**{title}** (n = {n:,} per contender)", ""]
        header = ["contender", "sdk", *[_metric_title(metric) for metric in metrics]]
        out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for contender, sdk in lines:
            cells = {row["metric"]: _cell(row) for row in chosen if (row["contender"], row["sdk"]) == (contender, sdk)}
            out.append("| " + " | ".join([contender, sdk, *[cells.get(metric, "") for metric in metrics]]) + " |")
        out.append("")
    return "\n".join(out)


def _metric_title(metric: str) -> str:
    better = "higher" if metric in _HIGHER_IS_BETTER else "lower"
    return f"{metric.replace('_', ' ')} ({better} is better)" if metric not in ("errors", "connections") else metric


def _find(rows: list[Row], scenario: str, metric: str, contender: str, major: int | None = None) -> Row | None:
    for row in rows:
        if (row["scenario"], row["metric"], row["contender"]) == (scenario, metric, contender) and (
            major is None or _major(row["sdk"]) == major
        ):
            return row
    return None


def targets(rows: list[Row]) -> list[dict[str, Any]]:
    """The issue's targets, checked for the shim."""
    found: list[dict[str, Any]] = []
    majors = sorted({m for row in rows if (m := _major(row["sdk"])) is not None}, reverse=True)

    def add(kind: str, target: str, row: Row | None, value: float | None, limit: float, below: bool = True) -> None:
        if row is None or value is None:
            return
        met = value <= limit if below else value >= limit
        found.append(
            {
                "kind": kind,
                "target": target,
                "contender": row["contender"],
                "sdk": row["sdk"],
                "value": value,
                "met": met,
            }
        )

    for major in majors:
        for scenario in ("call.sync", "call.async", "stream.sse.sync", "stream.sse.async"):
            metrics = ("cpu_per_call", "latency_p50", "latency_p95")
            for metric in ("cpu_per_chunk", "ttfc_p50") if scenario.startswith("stream") else metrics:
                row = _find(rows, scenario, metric, SHIM, major)
                ratio = None if row is None else row.get("ratio_own_sdk", row.get("ratio"))
                add("must", f"{scenario} {metric} <= 1.02x plain openai", row, ratio, 1.02)
        for scenario in ("stream.sse.sync", "stream.sse.async"):
            row = _find(rows, scenario, "cpu_per_chunk", SHIM, major)
            ratio = None if row is None else row.get("ratio_own_sdk", row.get("ratio"))
            add("aim", f"{scenario} cpu per chunk <= 0.6x plain openai", row, ratio, 0.6)
        concurrency = _find(rows, "concurrency.sse", "errors", SHIM, major)
        add(
            "must",
            "500 concurrent streams: 0 errors",
            concurrency,
            None if concurrency is None else concurrency["value"],
            0,
        )
        for scenario in ("call.sync", "call.async"):
            memory = _find(rows, scenario, "cpu_per_call", GUARD_MEMORY, major)
            add("must", f"{scenario} guarded in memory: cpu <= 1.03x unguarded", memory,
                None if memory is None else memory.get("ratio_unguarded"), 1.03)  # fmt: skip
            redis = _find(rows, scenario, "latency_p50", GUARD_REDIS, major)
            add("must", f"{scenario} guarded on Redis: latency p50 <= +500 µs", redis,
                None if redis is None else redis.get("added_to_unguarded"), 500.0)  # fmt: skip
        trips = _find(rows, "guard.redis", "latency_p50", GUARD_REDIS, major)
        add("must", "Redis round trips of a guarded call: p50 <= 500 µs", trips,
            None if trips is None else trips["value"], 500.0)  # fmt: skip
        emulated = _find(rows, "emulation.call", "cpu_per_call", "omnigate_openai (5 tools)", major)
        add(
            "aim",
            "5 tools + 2 KB answer: emulated cpu <= 1.10x the same call with native tools",
            emulated,
            None if emulated is None else emulated.get("ratio"),
            1.10,
        )
        created = _find(rows, "client.new", "time_p50", SHIM, major)
        add("aim", "a new client <= 2 ms", created, None if created is None else created["value"], 2.0)
    shim_import = _find(rows, "import", "import_time", SHIM)
    plain_import = _find(rows, "import", "import_time", BASELINE, _major(shim_import["sdk"]) if shim_import else None)
    added = _find(rows, "import", "added_to_openai", SHIM)
    if added:
        add("must", "import <= +15 ms over `import openai`", added, added["value"], 15)
    elif shim_import and plain_import:
        add(
            "must",
            "import <= +15 ms over `import openai`",
            shim_import,
            shim_import["value"] - plain_import["value"],
            15,
        )
    for mode in ("sync", "async"):
        native = _find(rows, f"stream.native.{mode}", "cpu_per_chunk", SHIM)
        add(
            "aim",
            f"native text stream ({mode}) cpu per chunk <= 1.2x omnigate 0.2",
            native,
            None if native is None else native.get("ratio_omnigate"),
            1.2,
        )
    return found


def write_json(path: Path, results: dict[str, Any]) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, allow_nan=False, default=str) + "\n")


_CHARTED = [
    ("call.sync", "cpu_per_call"),
    ("call.async", "cpu_per_call"),
    ("call.sync", "latency_p50"),
    ("stream.sse.sync", "cpu_per_chunk"),
    ("stream.sse.async", "cpu_per_chunk"),
    ("stream.sse.sync", "ttfc_p50"),
    ("import", "import_time"),
    ("client.new", "time_p50"),
    ("client.new", "rss_per_client"),
    ("copy.with_user", "time_p50"),
]


def chart(rows: list[Row], path: Path) -> str | None:
    """A PNG of every charted row's ratio to plain openai 3.x; returns why not when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (bench/requirements.txt): no chart"
    panels = [
        (s, m) for s, m in _CHARTED if any(r["scenario"] == s and r["metric"] == m and r.get("ratio") for r in rows)
    ]
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 1.0 + 1.9 * len(panels)), squeeze=False)
    for axis, (scenario, metric) in zip(axes[:, 0], panels, strict=True):
        chosen = [r for r in rows if r["scenario"] == scenario and r["metric"] == metric and r.get("ratio")]
        labels = [f"{r['contender']} [{r['sdk']}]" for r in chosen]
        ratios = [r["ratio"] for r in chosen]
        colors = ["tab:green" if r["contender"].startswith(SHIM) else "tab:gray" for r in chosen]
        axis.barh(labels, ratios, color=colors)
        axis.axvline(1.0, color="black", linewidth=0.8)
        axis.set_xlim(0, max([*ratios, 1.0]) * 1.18)
        axis.invert_yaxis()
        axis.set_title(
            f"{scenario}: {metric.replace('_', ' ')} (ratio to plain openai 3.x, lower is better)", fontsize=9
        )
        axis.tick_params(labelsize=8)
        for index, ratio in enumerate(ratios):
            axis.text(ratio, index, f" {ratio:.2f}x", va="center", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return None
