"""What bounds one call: an optional total deadline, and a cap on the time spent waiting to retry.

Without a deadline a call is bounded per attempt by `timeout=` (connect, read, write, pool: each a
wait for the next byte, not a total), at most `max_retries + 1` attempts, and at most
`max_retry_wait` seconds of waiting between them, `Retry-After` included. A `deadline=` (seconds,
per client or `with_options`) bounds the whole call instead: every attempt's timeouts are cut to what
is left, the waits between attempts too, and the body is cut when time is up (`_watchdog.py`), so an
answer that never ends raises an `openai.APITimeoutError`-typed `ConnectionError` within the
deadline. A stream's deadline covers its whole reading, the caller's time between chunks included.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, NamedTuple

from ._exceptions import ConfigurationError, ConnectionError

__all__ = [
    "DEFAULT_MAX_RETRY_WAIT",
    "CallBounds",
    "CallClock",
    "call_clock",
    "capped_timeouts",
    "current_clock",
    "deadline_error",
    "deadline_of",
]

DEFAULT_MAX_RETRY_WAIT = 20.0
"""Seconds one call may spend waiting between its attempts. A gateway's `Retry-After` beyond what is
left is not waited for: the `RateLimitError` is raised at once with its `retry_after`, for the caller
to decide (the SDK alone would wait up to two minutes, twice)."""

DEADLINE_KEY = "omnigate_openai.deadline"
"""Where a request carries its call's clock, for the streams that outlive the call."""


class CallBounds(NamedTuple):  # not a dataclass: a quarter of its import time
    deadline: float | None = None
    max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT

    @classmethod
    def checked(cls, *, deadline: object, max_retry_wait: object) -> CallBounds:
        return cls(
            deadline=None if deadline is None else _seconds("deadline", deadline),
            max_retry_wait=_seconds("max_retry_wait", max_retry_wait, zero_ok=True),
        )


def _seconds(name: str, value: object, *, zero_ok: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigurationError(f"Expected `{name}` to be a number of seconds, got {value!r}")
    if value < 0 or (value == 0 and not zero_ok):
        raise ConfigurationError(f"Expected `{name}` to be {'at least 0' if zero_ok else 'above 0'}, got {value!r}")
    return float(value)


class CallClock:
    """One call's clock: when its deadline falls, and how much waiting between attempts it has left."""

    __slots__ = ("deadline", "ends_at", "wait_left")

    def __init__(self, bounds: CallBounds) -> None:
        self.deadline = bounds.deadline
        self.ends_at = None if bounds.deadline is None else time.monotonic() + bounds.deadline
        self.wait_left = bounds.max_retry_wait

    def remaining(self) -> float | None:
        return None if self.ends_at is None else self.ends_at - time.monotonic()

    def may_wait(self, seconds: float | None) -> bool:
        """Whether a retry that must first wait `seconds` (a `Retry-After`) fits in what is left."""
        if seconds is None:
            return True
        left = self.remaining()
        return seconds <= self.wait_left and (left is None or seconds < left)

    def spend_wait(self, proposed: float) -> float:
        """The wait before the next attempt: the SDK's choice, cut to the waiting and the time left."""
        left = self.remaining()
        wait = max(0.0, min(proposed, self.wait_left, math.inf if left is None else left))
        self.wait_left -= wait
        return wait


_CURRENT: ContextVar[CallClock | None] = ContextVar("omnigate_openai.call_clock", default=None)


@contextlib.contextmanager
def call_clock(bounds: CallBounds) -> Iterator[CallClock]:
    """The clock of the call being made in this context (a thread or a task)."""
    clock = CallClock(bounds)
    token = _CURRENT.set(clock)
    try:
        yield clock
    finally:
        _CURRENT.reset(token)


def current_clock() -> CallClock | None:
    return _CURRENT.get()


def capped_timeouts(timeouts: dict[str, Any], left: float) -> dict[str, Any]:
    """Each of the transport's timeouts, cut to the time the call has left."""
    return {name: left if value is None else min(value, left) for name, value in timeouts.items()}


def deadline_of(request: Any) -> CallClock | None:  # httpx or httpx2, by the openai major
    clock = request.extensions.get(DEADLINE_KEY)
    return clock if isinstance(clock, CallClock) else None


def deadline_error(clock: CallClock, request: Any) -> ConnectionError:
    return ConnectionError.for_timeout(True)(
        f"The call's deadline of {clock.deadline:g} s passed before the gateway's answer was complete",
        request=request,
    )
