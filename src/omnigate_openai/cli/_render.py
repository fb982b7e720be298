"""Rich renderables for the command line. Nothing here prints, so tests compare text without a terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pydantic
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..omnigate.types import ApiKey, CreatedApiKey, MetricsResponse, ModelInfo
from ..omnigate.types._base import mask_secret

__all__ = [
    "Check",
    "api_key_table",
    "complete",
    "created_key",
    "doctor_report",
    "metrics_report",
    "model_table",
    "serving",
    "shown_key",
    "timeseries_chart",
    "usd",
]


def complete(answer: Any) -> Any:
    """`answer` (a gateway model, or a list of them) if every field is there with its type; else a `ValueError`.

    The client keeps an answer with missing or odd fields as it came (a newer server may send one), but a
    view reads every field: without this it would fail with a traceback on the first `None`.
    """
    for item in answer if isinstance(answer, list) else [answer]:
        try:
            type(item).model_validate(item.model_dump(warnings=False))
        except pydantic.ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(
                f"The gateway's answer is not a complete {type(item).__name__}: `{where}`: {first['msg']} "
                f"(got {first['input']!r:.60})"
            ) from None
    return answer


_BAR = "█"
_CHART_WIDTH = 24


@dataclass(frozen=True)
class Check:
    """One line of `doctor`: what was checked, whether it passed, and what was seen."""

    name: str
    ok: bool
    detail: str


def usd(amount: float | Decimal | None) -> str:
    """Dollars without float noise (`0.000075`, not `7.5e-05`)."""
    if amount is None:
        return "-"
    text = format(Decimal(str(amount)), "f")
    return "$" + (text.rstrip("0").rstrip(".") if "." in text else text)


def shown_key(key: str | None) -> str:
    """A gateway key as the CLI ever shows it outside `keys create`: its prefix."""
    return "-" if not key else mask_secret(key)


def model_table(models: Sequence[ModelInfo]) -> Table:
    table = Table(title="Models", title_justify="left")
    table.add_column("Model", style="bold", overflow="fold")
    table.add_column("Provider")
    table.add_column("Input / 1k tokens", justify="right")
    table.add_column("Output / 1k tokens", justify="right")
    for info in models:
        pricing = info.pricing
        table.add_row(
            info.id,
            info.provider,
            usd(pricing.input_per_1k_usd) if pricing else "-",
            usd(pricing.output_per_1k_usd) if pricing else "-",
        )
    return table


def api_key_table(keys: Sequence[ApiKey]) -> Table:
    table = Table(title="Gateway keys", title_justify="left")
    table.add_column("Name", style="bold")
    table.add_column("Prefix")
    # Never wrapped nor cut, whatever the terminal's width: `keys revoke` needs all of it, copied in one go.
    table.add_column("Id", no_wrap=True, min_width=36, overflow="ignore")
    table.add_column("Created")
    table.add_column("Last used")
    table.add_column("Status")
    for key in keys:
        table.add_row(
            key.name,
            key.key_prefix,
            key.id,
            _when(key.created_at),
            _when(key.last_used_at),
            Text("revoked", style="red") if key.revoked_at else Text("active", style="green"),
        )
    return table


def serving(facts: Mapping[str, Any]) -> RenderableType:
    """`serve`'s banner, printed once the port is bound; keys only when asked for (`--show-keys`)."""
    lines = [Text.assemble(("OmniGate local gateway on ", ""), (str(facts["base_url"]), "bold"))]
    for name, label in (("api_key", "gateway key"), ("admin_key", "admin key")):
        if name in facts:
            lines.append(Text(f"  {label}: {facts[name]}"))
    if "api_key" not in facts:
        lines.append(Text("  keys: not shown (secrets); pass --show-keys to print them", style="dim"))
    lines.append(Text("  Ctrl+C stops it.", style="dim"))
    return Group(*lines)


def created_key(key: CreatedApiKey) -> RenderableType:
    """The one place a full key is shown: right after it was minted, since the gateway keeps only its hash."""
    return Group(
        Text.assemble(("Created gateway key ", ""), (key.name, "bold"), (f" ({key.id})", "dim")),
        Text(key.api_key, style="bold yellow"),
        Text("Store it now: it is shown only once and cannot be retrieved later.", style="dim"),
    )


def metrics_report(metrics: MetricsResponse) -> RenderableType:
    parts: list[RenderableType] = [_totals_table(metrics)]
    if metrics.breakdown:
        parts.append(_breakdown_table(metrics))
    parts.append(timeseries_chart(metrics))
    return Group(*parts)


def _totals_table(metrics: MetricsResponse) -> Table:
    totals = metrics.totals
    title = (
        f"{metrics.scope.capitalize()} {metrics.scope_id}: {_when(metrics.range_from)} to {_when(metrics.range_to)} UTC"
    )
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("Metric", style="bold")
    table.add_column("Value", justify="right")
    table.add_row("Requests", f"{totals.requests:,}")
    table.add_row("Tokens (prompt / completion)", f"{totals.prompt_tokens:,} / {totals.completion_tokens:,}")
    table.add_row("Total tokens", f"{totals.total_tokens:,}")
    table.add_row("Cost", usd(totals.cost_usd))
    table.add_row("Error rate", f"{totals.error_rate:.1%}")
    table.add_row("Cache hit rate", f"{totals.cache_hit_rate:.1%}")
    table.add_row("Latency avg", _ms(totals.avg_latency_ms))
    table.add_row(
        "Latency p50 / p95 / p99",
        f"{_ms(totals.p50_latency_ms)} / {_ms(totals.p95_latency_ms)} / {_ms(totals.p99_latency_ms)}",
    )
    return table


def _breakdown_table(metrics: MetricsResponse) -> Table:
    table = Table(title=f"By {metrics.group_by}", title_justify="left")
    table.add_column(str(metrics.group_by).capitalize(), style="bold")
    table.add_column("Requests", justify="right")
    table.add_column("Tokens", justify="right")
    table.add_column("Cost", justify="right")
    table.add_column("Avg latency", justify="right")
    table.add_column("Errors", justify="right")
    for row in metrics.breakdown:
        table.add_row(
            row.key,
            f"{row.requests:,}",
            f"{row.total_tokens:,}",
            usd(row.cost_usd),
            _ms(row.avg_latency_ms),
            f"{row.error_rate:.1%}",
        )
    return table


def timeseries_chart(metrics: MetricsResponse) -> RenderableType:
    """Requests per bucket as horizontal bars; the gateway leaves empty buckets out."""
    if not metrics.timeseries:
        return Text("No requests in this window.", style="dim")
    peak = max(point.requests for point in metrics.timeseries) or 1
    table = Table(title=f"Requests per {metrics.granularity}", title_justify="left", box=None)
    table.add_column("Bucket (UTC)", style="dim", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("Requests", justify="right")
    table.add_column("Cost", justify="right")
    for point in metrics.timeseries:
        width = max(1, round(point.requests / peak * _CHART_WIDTH)) if point.requests else 0
        bar = Text(_BAR * width, style="red" if point.error_rate else "cyan")
        table.add_row(_when(point.bucket), bar, f"{point.requests:,}", usd(point.cost_usd))
    return table


def doctor_report(checks: Sequence[Check]) -> RenderableType:
    lines = [
        Text.assemble(
            ("✓ " if check.ok else "✗ ", "bold green" if check.ok else "bold red"),
            (f"{check.name}: ", "bold"),
            (check.detail, ""),
        )
        for check in checks
    ]
    failed = sum(not check.ok for check in checks)
    summary = (
        Text("All checks passed.", style="green")
        if not failed
        else Text(f"{failed} check{'s' if failed > 1 else ''} failed.", style="red")
    )
    return Group(*lines, summary)


def _when(moment: object) -> str:
    if moment is None:
        return "-"
    strftime = getattr(moment, "strftime", None)
    return strftime("%Y-%m-%d %H:%M") if strftime else str(moment)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"
