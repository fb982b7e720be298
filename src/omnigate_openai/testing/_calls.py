"""What arrived at the local gateway, so a test can assert on the client's side of the wire.

`gw.calls` works like respx's: a sequence of `Call`, with `.last`, in arrival order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload


@dataclass
class Call:
    """One request as it arrived, and the status it was answered with (None until then)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    status: int | None = None
    client_port: int | None = field(default=None, repr=False)
    """The client's TCP port: calls that share it came over one kept-alive connection."""

    @property
    def json(self) -> Any:
        """The parsed JSON body, or None when the body is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class CallLog(Sequence[Call]):
    """Every request the gateway received, oldest first. Safe to read while the server runs."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def append(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    @property
    def last(self) -> Call:
        """The most recent call; an AssertionError (not IndexError) when nothing arrived yet."""
        with self._lock:
            if not self._calls:
                raise AssertionError("No call has reached the local gateway yet")
            return self._calls[-1]

    def to(self, path: str) -> list[Call]:
        """The calls whose path is exactly `path` (for example "/v1/chat/completions")."""
        with self._lock:
            return [c for c in self._calls if c.path == path]

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Call]: ...
    def __getitem__(self, index: int | slice) -> Call | Sequence[Call]:
        with self._lock:
            return self._calls[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            return iter(list(self._calls))


__all__ = ["Call", "CallLog"]
