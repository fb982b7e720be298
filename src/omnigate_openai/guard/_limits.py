"""Limits: what a scope (a run, an agent, a user) may use, and how it is written down in a store.

A store counts four metrics as integers, so that concurrent reservations add up exactly: USD in
micro-dollars (the gateway quantises costs to 6 places), tokens, calls and tool calls. Wall time is
checked against the moment the scope made its first call, and never reserved.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

from .._numbers import is_amount
from ._errors import LimitName

__all__ = ["METRICS", "Amounts", "Limits", "Line", "Scopes", "micro_usd"]

METRICS: tuple[LimitName, ...] = ("max_usd", "max_tokens", "max_calls", "max_tool_calls")
"""The counted metrics, in the order of `Amounts`."""

NO_LIMIT = -1

_COUNTS = ("max_tokens", "max_calls", "max_tool_calls")


class Amounts(NamedTuple):
    """One value per counted metric: micro-USD, tokens, calls, tool calls."""

    micro_usd: int = 0
    tokens: int = 0
    calls: int = 0
    tool_calls: int = 0


def micro_usd(usd: float) -> int:
    """USD -> whole micro-dollars, rounded up: a reservation is never smaller than the cost it stands for."""
    return math.ceil(round(usd * 1_000_000, 3))


@dataclasses.dataclass(frozen=True)
class Limits:
    """What a scope may use; None means unlimited. `warn_at` is the fraction at which `on_warning` fires."""

    max_usd: float | None = None
    max_tokens: int | None = None
    max_calls: int | None = None
    max_tool_calls: int | None = None
    max_seconds: float | None = None
    """Wall time since the scope's first call."""

    def __post_init__(self) -> None:
        # `inf` or NaN failed the first call untyped (they have no integer in a store's units); None is no limit.
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            counted = field.name in _COUNTS
            if value is None or (is_amount(value) and (not counted or float(value).is_integer())):
                continue
            kind = "a whole number" if counted else "a finite number"
            expected = f"Limits({field.name}=...) to be {kind} >= 0, or None for no limit"
            raise ValueError(f"Expected {expected}; got {value!r}")

    def bounds(self) -> Amounts:
        """The counted limits in a store's units; -1 for none."""
        usd = NO_LIMIT if self.max_usd is None else math.floor(round(self.max_usd * 1_000_000, 3))
        counts = (self.max_tokens, self.max_calls, self.max_tool_calls)
        return Amounts(usd, *(NO_LIMIT if value is None else int(value) for value in counts))

    def max_ms(self) -> int:
        return NO_LIMIT if self.max_seconds is None else int(self.max_seconds * 1000)


class Line(NamedTuple):
    """One scope a call counts in, with the scope's limits: a reservation holds one line per scope."""

    scope: str
    bounds: Amounts
    max_ms: int
    checked: tuple[int, ...]
    """The metrics it limits (indexes into METRICS), the only ones the memory store checks: none where it only
    counts. (The Redis script reads `bounds` itself.)"""

    @classmethod
    def of(cls, scope: str, limits: Limits) -> Line:
        """The line of a scope with these limits."""
        bounds = limits.bounds()
        return cls(scope, bounds, limits.max_ms(), tuple(i for i, bound in enumerate(bounds) if bound != NO_LIMIT))


def as_shown(metric: LimitName, value: int) -> float:
    """A stored value in the unit a user reads: USD for `max_usd`, counts otherwise."""
    return value / 1_000_000 if metric == "max_usd" else float(value)


class Scopes(NamedTuple):
    """Every scope a call of one agent and user counts in, worked out once per guard (`Guard.scopes`)."""

    lines: tuple[Line, ...]
    names: tuple[str, ...]
    limits_usd: bool
    """Whether any of them has a USD limit: there, a model the gateway cannot price is refused."""

    @classmethod
    def of(cls, lines: tuple[Line, ...]) -> Scopes:
        return cls(lines, tuple(line.scope for line in lines), any(line.bounds.micro_usd != NO_LIMIT for line in lines))
