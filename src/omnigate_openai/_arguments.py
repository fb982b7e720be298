"""Arguments the SDK would accept and then fail on, refused before sending with an error naming them.

The SDK lets these through to places that report them badly: a negative `max_retries` is an
`AssertionError` under openai 2.x, a non-numeric `timeout` a "could not reach the gateway" after the
attempt, `timeout=0` a timeout reported after the gateway already ran (and billed) the call, and a
non-ASCII header value a bare `UnicodeEncodeError`. (Model ids in a path: `omnigate/resources/models.py`.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ._exceptions import ConfigurationError
from ._sdk import NotGiven, Omit, httpx

__all__ = ["check_headers", "check_max_retries", "check_timeout"]


def check_max_retries(value: object, *, name: str = "max_retries") -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"Expected `{name}` to be a whole number of retries, 0 or more; got {value!r}")


def check_timeout(value: object, *, name: str = "timeout") -> None:
    """None (no timeout), a positive number of seconds, or an `httpx.Timeout` whose parts are such."""
    if value is None or isinstance(value, (NotGiven, Omit)):
        return
    if isinstance(value, httpx.Timeout):
        for part in ("connect", "read", "write", "pool"):
            check_timeout(getattr(value, part), name=f"{name}.{part}")
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise ConfigurationError(
            f"Expected `{name}` to be a number of seconds, None or an httpx.Timeout; got {value!r}"
        )
    if value <= 0:
        raise ConfigurationError(
            f"Expected `{name}` above 0 seconds, got {value!r}: a call would time out after the gateway had "
            "already received (and may have billed) it; use None for no timeout"
        )


def check_headers(headers: Mapping[str, Any], *, name: str = "extra_headers") -> None:
    """Header names and values must be printable ASCII without line breaks: else httpx fails late, untyped."""
    for header, value in headers.items():
        if isinstance(value, Omit) or value is None:
            continue
        for part, text in (("name", header), ("value", value)):
            if not isinstance(text, str):
                continue
            if not text.isascii() or not text.isprintable() or any(ch in text for ch in "\r\n\0"):
                shown = header.encode("ascii", "backslashreplace").decode() if part == "value" else repr(text)
                raise ConfigurationError(
                    f"The {part} of header {shown} in `{name}` must be printable ASCII without line breaks "
                    "(percent- or base64-encode other text)"
                )
