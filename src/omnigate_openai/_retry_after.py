"""`Retry-After` as seconds to wait, or None when what the header says can be no wait.

Servers and proxies send what they like there: `nan`, `inf`, `-1`, or `1e999` (which overflows to
infinity). None of those is a wait. `RateLimitError.retry_after` gets None for them, as for a missing
header, and the retry decision treats them as missing too (the SDK's own backoff), so no such value
makes a client sleep, give up on a retry or crash. A large finite value is kept: the server asks
for a long wait; the client does not wait that long (`_bounds.py`) and the caller sees the figure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["retry_after", "usable_wait"]


def usable_wait(seconds: float | None) -> float | None:
    """`seconds` if it can be waited (finite, not negative), else None."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The `Retry-After` header in seconds (a float is accepted, as the SDK does), or None."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return usable_wait(float(value))
    except ValueError:
        return None
