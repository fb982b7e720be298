"""The per-provider, per-project circuit breaker the gateway keeps in process memory.

It opens after `threshold` consecutive transient failures (one per gateway call, after that call's
own retries), refuses for `cooldown` seconds, then lets one half-open trial through.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass
class _Circuit:
    failures: int = 0
    opened_at: datetime | None = None
    trial_in_flight: bool = False


class CircuitBreaker:
    """Keyed by `"{provider}:{project_id}"`, as the server keys it."""

    def __init__(self, *, threshold: int, cooldown: float, clock: Callable[[], datetime]) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}
        self._forced: dict[str, datetime] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(provider: str, project_id: object) -> str:
        return f"{provider}:{project_id}"

    def allows(self, provider: str, project_id: object) -> bool:
        """False while the circuit is open; after the cooldown, True exactly once (the trial)."""
        now = self._clock()
        with self._lock:
            forced = self._forced.get(provider)
            if forced is not None:
                if (now - forced).total_seconds() < self.cooldown:
                    return False
                del self._forced[provider]
            circuit = self._circuits.get(self.key(provider, project_id))
            if circuit is None or circuit.opened_at is None:
                return True
            if (now - circuit.opened_at).total_seconds() < self.cooldown or circuit.trial_in_flight:
                return False
            circuit.trial_in_flight = True
            return True

    def record_success(self, provider: str, project_id: object) -> None:
        with self._lock:
            self._circuits.pop(self.key(provider, project_id), None)

    def record_failure(self, provider: str, project_id: object) -> None:
        with self._lock:
            circuit = self._circuits.setdefault(self.key(provider, project_id), _Circuit())
            circuit.failures += 1
            if circuit.trial_in_flight or circuit.failures >= self.threshold:
                circuit.opened_at = self._clock()
                circuit.trial_in_flight = False

    def force_open(self, provider: str, project_id: object | None = None) -> None:
        """Open now, for one project or (project_id None) for every project."""
        now = self._clock()
        with self._lock:
            if project_id is None:
                self._forced[provider] = now
            else:
                circuit = self._circuits.setdefault(self.key(provider, project_id), _Circuit())
                circuit.failures = self.threshold
                circuit.opened_at = now
                circuit.trial_in_flight = False

    def reset(self) -> None:
        with self._lock:
            self._circuits.clear()
            self._forced.clear()


__all__ = ["CircuitBreaker"]
