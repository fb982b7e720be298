"""Where a guard counts: the store protocol, and the in-memory store of one process.

Reserve-then-settle is the whole idea. Before a call is sent, its worst case is reserved in every
scope it counts in, atomically: either every scope has room and all are charged, or none is and the
first scope without room is named. When the answer arrives the reservation is replaced by the real
amounts. A reservation nobody settles (its worker crashed) expires after its time to live and is
then charged at its worst case, so a budget can never be overshot by a call that was billed but
never settled. A settle that arrives after its reservation expired adds only what exceeds it.

`reset()` forgets scopes. A call reserved before the reset and settled after it is not counted in
the scopes that were reset (neither its cost nor the release of its reservation lands on the fresh
counters, which never held it); in a scope that was not reset (a parent's) it settles as usual.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from ._limits import METRICS, NO_LIMIT, UNBOUNDED, Amounts, Line

__all__ = ["MemoryStore", "Refusal", "ScopeUsage", "Store", "refusal_for"]


class Refusal(NamedTuple):
    """The first scope without room: which metric (an index into METRICS, or 4 for time), current, maximum."""

    scope: str
    metric: int
    current: int
    maximum: int


class ScopeUsage(NamedTuple):
    spent: Amounts
    reserved: Amounts
    elapsed_ms: int | None
    """Since the scope's first call; None before it."""


class Store(Protocol):
    """A place to count: memory (one process) or Redis (any number of processes and machines)."""

    def reserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None: ...
    def settle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]: ...
    def settle_soon(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> None: ...
    def flush(self) -> None: ...
    def usage(self, scopes: Sequence[str]) -> list[ScopeUsage]: ...
    def reset(self, prefixes: Sequence[str]) -> None: ...
    async def areserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None: ...
    async def asettle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]: ...


def refusal_for(current: Sequence[int], reserved: Sequence[int], amounts: Amounts, bounds: Amounts) -> int | None:
    """The first metric without room, or None. A metric reserved at 0 (tool calls) is refused at its limit."""
    for index in range(len(METRICS)):
        limit = bounds[index]
        if limit == NO_LIMIT:
            continue
        used = current[index] + reserved[index]
        if used + amounts[index] > limit or (amounts[index] == 0 and used >= limit):
            return index
    return None


@dataclass
class _Scope:
    spent: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    reserved: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    started: float | None = None

    def replace(self, reserved: Amounts, actual: Amounts) -> None:
        """A reservation replaced by what it came to (an expiry: by itself, charged at its worst case)."""
        self.reserved = [max(0, held - amount) for held, amount in zip(self.reserved, reserved, strict=True)]
        self.spent = [before + amount for before, amount in zip(self.spent, actual, strict=True)]

    def add_excess(self, reserved: Amounts, actual: Amounts) -> None:
        """A late settle of an expired reservation, already charged at `reserved`: only what exceeds it."""
        charged = zip(self.spent, actual, reserved, strict=True)
        self.spent = [before + max(0, amount - held) for before, amount, held in charged]


class _Pending(NamedTuple):
    deadline: float
    names: tuple[str, ...]
    amounts: Amounts
    scopes: tuple[_Scope, ...]
    """The scope objects it was reserved in: a reset replaces them, so a late settle can tell."""


class MemoryStore:
    """The default store: limits shared by the threads and tasks of this process. Thread-safe (one lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scopes: dict[str, _Scope] = {}
        self._pending: dict[str, _Pending] = {}
        self._settled_late: dict[str, tuple[_Scope, ...]] = {}
        """Expired reservations' scopes, until their late settle (one per call: the call settles once)."""
        self._next_deadline = float("inf")

    def reserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_deadline:
                self._expire(now)
            held = []
            for line in lines:
                scope = self._scopes.get(line.scope)
                if scope is None:
                    scope = self._scopes[line.scope] = _Scope()
                if line.max_ms != NO_LIMIT and scope.started is not None:
                    elapsed = int((now - scope.started) * 1000)
                    if elapsed >= line.max_ms:
                        return Refusal(line.scope, len(METRICS), elapsed, line.max_ms)
                if line.bounds != UNBOUNDED:
                    index = refusal_for(scope.spent, scope.reserved, amounts, line.bounds)
                    if index is not None:
                        used = scope.spent[index] + scope.reserved[index]
                        return Refusal(line.scope, index, used, line.bounds[index])
                held.append(scope)
            for scope in held:
                scope.reserved = [before + amount for before, amount in zip(scope.reserved, amounts, strict=True)]
                if scope.started is None:
                    scope.started = now
            self._pending[rid] = _Pending(now + ttl, tuple(line.scope for line in lines), amounts, tuple(held))
            self._next_deadline = min(self._next_deadline, now + ttl)
        return None

    def settle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]:
        with self._lock:
            self._settle(rid, scopes, reserved, actual)
            return [Amounts(*(self._scopes.get(name) or _Scope()).spent) for name in scopes]

    def settle_soon(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> None:
        with self._lock:  # microseconds: nothing to gain by waiting
            self._settle(rid, scopes, reserved, actual)

    def flush(self) -> None:
        """Nothing is ever queued in memory."""

    def usage(self, scopes: Sequence[str]) -> list[ScopeUsage]:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_deadline:
                self._expire(now)
            found = []
            for name in scopes:
                scope = self._scopes.get(name) or _Scope()
                elapsed = None if scope.started is None else int((now - scope.started) * 1000)
                found.append(ScopeUsage(Amounts(*scope.spent), Amounts(*scope.reserved), elapsed))
            return found

    def reset(self, prefixes: Sequence[str]) -> None:
        with self._lock:
            for name in [name for name in self._scopes if name.startswith(tuple(prefixes))]:
                del self._scopes[name]

    async def areserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None:
        return self.reserve(rid, lines, amounts, ttl)  # microseconds under a lock: not worth a thread hop

    async def asettle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]:
        return self.settle(rid, scopes, reserved, actual)

    def _settle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> None:
        now = time.monotonic()
        if now >= self._next_deadline:
            self._expire(now)
        pending = self._pending.pop(rid, None)
        held = pending.scopes if pending is not None else self._settled_late.pop(rid, ())
        for name, scope in zip(scopes, held, strict=False):
            if self._scopes.get(name) is not scope:  # reset since the reservation: dropped there
                continue
            if pending is not None:
                scope.replace(reserved, actual)
            else:
                scope.add_excess(reserved, actual)

    def _expire(self, now: float) -> None:
        """Charge every reservation past its deadline at its worst case (the caller holds the lock)."""
        self._next_deadline = min(
            (pending.deadline for pending in self._pending.values() if pending.deadline > now), default=float("inf")
        )
        for rid in [rid for rid, pending in self._pending.items() if pending.deadline <= now]:
            pending = self._pending.pop(rid)
            self._settled_late[rid] = pending.scopes
            for name, scope in zip(pending.names, pending.scopes, strict=True):
                if self._scopes.get(name) is scope:
                    scope.replace(pending.amounts, pending.amounts)
