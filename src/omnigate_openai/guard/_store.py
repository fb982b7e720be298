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
from typing import NamedTuple, Protocol

from ._limits import METRICS, NO_LIMIT, Amounts, Line

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


def refusal_for(current: Sequence[int], reserved: Sequence[int], amounts: Amounts, line: Line) -> int | None:
    """The first metric the line limits without room, or None. A metric reserved at 0 (tool calls) is refused at
    its limit."""
    bounds = line.bounds
    for index in line.checked:
        limit = bounds[index]
        used = current[index] + reserved[index]
        if used + amounts[index] > limit or (amounts[index] == 0 and used >= limit):
            return index
    return None


class _Scope:
    """One scope's counters in memory: what settled calls spent, what calls in flight hold, its first call.

    A reservation is released with the very amounts it added to this very object (`_Pending` keeps
    both), so `reserved` is exact and never goes below zero; a reset replaces the object.
    """

    __slots__ = ("reserved", "spent", "started")

    def __init__(self) -> None:
        self.spent = [0, 0, 0, 0]
        self.reserved = [0, 0, 0, 0]
        self.started: float | None = None

    # The four metrics are written out: a loop, a comprehension or `map` over them costs two to three times as much.
    def hold(self, amounts: Amounts) -> None:
        held = self.reserved
        self.reserved = [held[0] + amounts[0], held[1] + amounts[1], held[2] + amounts[2], held[3] + amounts[3]]

    def replace(self, reserved: Amounts, actual: Amounts) -> None:
        """A reservation replaced by what it came to (an expiry: by itself, charged at its worst case)."""
        held, spent = self.reserved, self.spent
        self.reserved = [held[0] - reserved[0], held[1] - reserved[1], held[2] - reserved[2], held[3] - reserved[3]]
        self.spent = [spent[0] + actual[0], spent[1] + actual[1], spent[2] + actual[2], spent[3] + actual[3]]

    def add_excess(self, reserved: Amounts, actual: Amounts) -> None:
        """A late settle of an expired reservation, already charged at `reserved`: only what exceeds it."""
        charged = zip(self.spent, actual, reserved, strict=True)
        self.spent = [before + max(0, amount - held) for before, amount, held in charged]


class _Pending(NamedTuple):
    deadline: float
    lines: Sequence[Line]
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
                if line.checked:
                    index = refusal_for(scope.spent, scope.reserved, amounts, line)
                    if index is not None:
                        used = scope.spent[index] + scope.reserved[index]
                        return Refusal(line.scope, index, used, line.bounds[index])
                held.append(scope)
            for scope in held:
                scope.hold(amounts)
                if scope.started is None:
                    scope.started = now
            deadline = now + ttl
            self._pending[rid] = _Pending(deadline, lines, amounts, tuple(held))
            if deadline < self._next_deadline:
                self._next_deadline = deadline
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
        if pending is not None:
            for line, scope in zip(pending.lines, pending.scopes, strict=True):
                if self._scopes.get(line.scope) is scope:  # else reset since the reservation: dropped there
                    scope.replace(pending.amounts, actual)
            return
        for name, scope in zip(scopes, self._settled_late.pop(rid, ()), strict=False):
            if self._scopes.get(name) is scope:
                scope.add_excess(reserved, actual)

    def _expire(self, now: float) -> None:
        """Charge every reservation past its deadline at its worst case (the caller holds the lock)."""
        self._next_deadline = min(
            (pending.deadline for pending in self._pending.values() if pending.deadline > now), default=float("inf")
        )
        for rid in [rid for rid, pending in self._pending.items() if pending.deadline <= now]:
            pending = self._pending.pop(rid)
            self._settled_late[rid] = pending.scopes
            for line, scope in zip(pending.lines, pending.scopes, strict=True):
                if self._scopes.get(line.scope) is scope:
                    scope.replace(pending.amounts, pending.amounts)
