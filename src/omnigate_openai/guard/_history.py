"""The call history of a guard: one record per call sent (or refused), bounded, newest last.

History is kept per process (the store keeps the shared counts): it answers "what did this agent
do", with each call's cost and where that cost came from.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from datetime import datetime, timezone
from typing import Any, Literal

__all__ = ["CallRecord", "CostSource", "History", "Row", "record_of"]

CostSource = Literal["gateway", "reservation", "unpriced", "none"]
"""`gateway`: the gateway's own figure (`meta().cost_usd`); `reservation`: the answer carried no cost (a
stream without usage, a cut connection) so the worst case reserved was charged; `unpriced`: the answer
carried no cost and the guard had no price to reserve by (no USD limit asked for one), so the cost is
unknown, not $0; `none`: nothing was billed."""


@dataclasses.dataclass(slots=True)
class CallRecord:
    """One call as the guard saw it. (Not frozen: a frozen dataclass of this size costs microseconds per call.)"""

    agent_id: str | None
    user_id: str | None
    model: str
    provider: str | None
    route: Literal["compat", "native"]
    stream: bool
    request_summary: str
    """The last message, shortened to 200 characters."""
    response_id: str | None
    tool_calls: tuple[str, ...]
    """Names of the tools the answer called."""
    error: str | None
    """Why the call failed or was refused; None on success."""
    cost_usd: float
    cost_source: CostSource
    prompt_tokens: int | None
    completion_tokens: int | None
    latency_ms: float
    timestamp: datetime

    @property
    def success(self) -> bool:
        return self.error is None


Row = tuple[Any, ...]
"""A call as a guard keeps it: `CallRecord`'s fields in their order, the timestamp as `time.time()`. Most calls'
records are never read, and a tuple costs a call a fifth of a record built with its datetime."""


def record_of(row: Row) -> CallRecord:
    fields: tuple[Any, ...] = (*row[:-1], datetime.fromtimestamp(row[-1], timezone.utc))
    return CallRecord(*fields)


class History:
    """The last `size` calls, thread-safe."""

    def __init__(self, size: int) -> None:
        self._rows: deque[Row] = deque(maxlen=size)

    def add(self, row: Row) -> None:
        self._rows.append(row)  # a deque's append, copy and clear are each atomic: no lock on a call's path

    def select(self, *, agent_id: str | None, limit: int | None) -> list[CallRecord]:
        rows = [row for row in self._rows.copy() if agent_id is None or row[0] == agent_id]
        return [record_of(row) for row in (rows if limit is None else rows[len(rows) - limit :])]

    def clear(self) -> None:
        self._rows.clear()
