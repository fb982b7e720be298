"""The wait a rate limit asks for, read from the headers as the openai SDK reads them, the same under both majors.

The SDK prefers `retry-after-ms`, then `Retry-After` as seconds (floats accepted), then `Retry-After`
as an HTTP-date; the first of those that is a number decides. The client's `_parse_retry_after_header`
and `RateLimitError.retry_after` both call `retry_after()`, so the error says what the retry decision
used. Where the SDK's majors differ, this reading decides for both:

- `nan`, `inf`, `-1` are no wait: None, as for a missing header, and the retry gets the SDK's backoff.
- A number too large for a float (`1e999`) is a very long wait, not an infinity: the largest float
  (openai 3.x reads it so too; 2.x read it as `inf` and retried after its backoff).
- A date in the past is no wait at all: 0.0, never a negative figure.
- A large finite wait (`1e300`) is kept as the server said it. No client waits that long (the SDK
  refuses more than two minutes, `max_retry_wait` less), so the error is raised at once and the figure is
  the caller's to weigh: `time.sleep` and `timedelta` refuse such values, so compare before using it.
"""

from __future__ import annotations

import email.utils
import math
import sys
import time
from collections.abc import Mapping

__all__ = ["retry_after"]

_INFINITY_LITERALS = frozenset({"inf", "+inf", "infinity", "+infinity"})
"""How `float()` spells infinity on purpose; any other number it reads as `inf` overflowed."""


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait before retrying, from `retry-after-ms` or `Retry-After`; None when they give no wait."""
    if headers is None:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue
        if math.isinf(seconds) and seconds > 0 and value.strip().lower() not in _INFINITY_LITERALS:
            return sys.float_info.max
        return _usable(seconds / divisor)
    return _until_date(headers.get("retry-after"))


def _usable(seconds: float) -> float | None:
    """`seconds` if it can be waited (finite, not negative), else None."""
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _until_date(value: str | None) -> float | None:
    """An HTTP-date as seconds from now (0.0 once it has passed); None if it is no date."""
    if value is None:
        return None
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(0.0, float(email.utils.mktime_tz(parsed) - time.time()))
    except (TypeError, ValueError, OverflowError):
        return None
