"""Faults on demand: a test schedules them, the gateway consumes them as requests arrive.

The vocabulary is that of the recorded scenarios (`FAULT:<status>`, `FAULT:MIDSTREAM:<n>`, ...), so a
scheduled fault and an in-prompt marker behave identically. A fault scheduled but never hit is
reported by `pending`, and `LocalGateway` fails the test with it on exit (respx's strictness).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Literal, Protocol

FaultKind = Literal["status", "midstream", "slow", "safety", "blocked", "length"]
BudgetScope = Literal["project", "org"]
BudgetPeriod = Literal["daily", "monthly"]


@dataclass(frozen=True)
class UpstreamFault:
    """How the provider misbehaves for one gateway call (every retry attempt of it)."""

    kind: FaultKind
    value: float = 0
    """The HTTP status for `status`, the deltas sent before failing for `midstream`, seconds for `slow`."""


class _Breaker(Protocol):
    def force_open(self, provider: str, project_id: object | None = None) -> None: ...
    def reset(self) -> None: ...


@dataclass
class _Scheduled:
    target: Literal["upstream", "rate_limit", "drop"]
    description: str
    remaining: int
    fault: UpstreamFault | None = None
    provider: str | None = None
    model: str | None = None
    project_id: uuid.UUID | None = None
    path: str | None = None


@dataclass
class _ExhaustedBudget:
    scope: BudgetScope
    period: BudgetPeriod
    project_id: uuid.UUID | None
    hits: int = 0


class Faults:
    """`gw.faults`: make the next calls fail the way a test needs. Thread-safe."""

    def __init__(self, breaker: _Breaker) -> None:
        self._breaker = breaker
        self._scheduled: list[_Scheduled] = []
        self._budgets: list[_ExhaustedBudget] = []
        self._lock = threading.Lock()

    # -- the test's side -----------------------------------------------------------------------

    def provider_error(
        self, status: int, *, times: int = 1, provider: str | None = None, model: str | None = None
    ) -> None:
        """The next `times` upstream calls answer `status` with the provider's own error body.

        The gateway passes the status through: 401/403/404 are not retried; 429/500/503 are retried
        internally and then surface (non-stream), or arrive as an in-band error frame (streams).
        """
        self._upstream(UpstreamFault("status", status), f"provider_error({status})", times, provider, model)

    def midstream(
        self, after: int = 3, *, times: int = 1, provider: str | None = None, model: str | None = None
    ) -> None:
        """The next `times` streams send `after` deltas, then the provider fails (both stream dialects)."""
        self._upstream(UpstreamFault("midstream", after), f"midstream(after={after})", times, provider, model)

    def slow(self, seconds: float, *, times: int = 1, provider: str | None = None, model: str | None = None) -> None:
        """The next `times` upstream calls wait `seconds` before answering."""
        self._upstream(UpstreamFault("slow", seconds), f"slow({seconds})", times, provider, model)

    def open_circuit(self, provider: str, *, project_id: uuid.UUID | None = None) -> None:
        """Open `provider`'s breaker now (for every project unless one is given): 503 until the cooldown ends."""
        self._breaker.force_open(provider, project_id)

    def close_circuits(self) -> None:
        """Close every breaker, forgetting the failures counted so far."""
        self._breaker.reset()

    def exhaust_budget(
        self, scope: BudgetScope = "project", period: BudgetPeriod = "daily", *, project_id: uuid.UUID | None = None
    ) -> None:
        """Treat that budget as spent: chat calls get its 402 until `restore_budgets()`."""
        if scope not in ("project", "org") or period not in ("daily", "monthly"):
            raise ValueError(f"Expected scope 'project'|'org' and period 'daily'|'monthly', got {scope!r}, {period!r}")
        with self._lock:
            self._budgets.append(_ExhaustedBudget(scope, period, project_id))

    def restore_budgets(self) -> None:
        with self._lock:
            self._budgets.clear()

    def rate_limit(self, *, times: int = 1, project_id: uuid.UUID | None = None) -> None:
        """The next `times` chat calls find the minute's window full: the gateway's own 429."""
        self._schedule(_Scheduled("rate_limit", f"rate_limit(times={times})", times, project_id=project_id))

    def drop_connection(self, *, times: int = 1, path: str | None = None) -> None:
        """The next `times` requests (to `path`, if given) get a truncated answer and a closed connection."""
        self._schedule(_Scheduled("drop", f"drop_connection(path={path!r})", times, path=path))

    def reset(self) -> None:
        """Forget every scheduled fault and exhausted budget, and close the breakers."""
        with self._lock:
            self._scheduled.clear()
            self._budgets.clear()
        self._breaker.reset()

    @property
    def pending(self) -> list[str]:
        """Faults that were scheduled but never hit, described as they were scheduled."""
        with self._lock:
            unused = [f"{s.description} x{s.remaining}" for s in self._scheduled if s.remaining > 0]
            unused += [f"exhaust_budget({b.scope!r}, {b.period!r})" for b in self._budgets if b.hits == 0]
            return unused

    # -- the gateway's side --------------------------------------------------------------------

    def take_upstream(self, provider: str, model: str, *, stream: bool) -> UpstreamFault | None:
        """The scheduled fault for this upstream call, if any; a mid-stream fault waits for a stream."""
        with self._lock:
            for item in self._scheduled:
                if item.target != "upstream" or item.remaining <= 0 or item.fault is None:
                    continue
                if item.provider not in (None, provider) or item.model not in (None, model):
                    continue
                if item.fault.kind == "midstream" and not stream:
                    continue
                item.remaining -= 1
                return item.fault
        return None

    def take_rate_limit(self, project_id: uuid.UUID) -> bool:
        return self._take("rate_limit", project_id=project_id)

    def take_drop(self, path: str) -> bool:
        return self._take("drop", path=path)

    def budget_exhausted(self, scope: BudgetScope, period: BudgetPeriod, project_id: uuid.UUID) -> bool:
        with self._lock:
            for budget in self._budgets:
                if budget.scope == scope and budget.period == period and budget.project_id in (None, project_id):
                    budget.hits += 1
                    return True
        return False

    # -- helpers -------------------------------------------------------------------------------

    def _upstream(
        self, fault: UpstreamFault, description: str, times: int, provider: str | None, model: str | None
    ) -> None:
        self._schedule(_Scheduled("upstream", description, times, fault=fault, provider=provider, model=model))

    def _schedule(self, item: _Scheduled) -> None:
        if item.remaining < 1:
            raise ValueError(f"Expected times >= 1, got {item.remaining!r}")
        with self._lock:
            self._scheduled.append(item)

    def _take(self, target: str, *, project_id: uuid.UUID | None = None, path: str | None = None) -> bool:
        with self._lock:
            for item in self._scheduled:
                if item.target != target or item.remaining <= 0:
                    continue
                if item.project_id not in (None, project_id) or item.path not in (None, path):
                    continue
                item.remaining -= 1
                return True
        return False


__all__ = ["BudgetPeriod", "BudgetScope", "FaultKind", "Faults", "UpstreamFault"]
