"""A string that keeps itself out of reprs, tracebacks and logs."""

from __future__ import annotations

import hmac

from ._masking import remember

__all__ = ["Secret"]

_SHOWN_PREFIX = 8
_MIN_LENGTH_TO_SHOW_PREFIX = 24


class Secret:
    """Holds a key; only `reveal()` gives it back, and only where a header is built.

    The repr shows a short prefix of long keys (as the gateway's own `key_prefix` does), so two
    clients can be told apart in a debugger without the key ever reaching a log line.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        remember(value)  # masked by value in log lines too (`_masking.py`)

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        if len(self._value) < _MIN_LENGTH_TO_SHOW_PREFIX:
            return "***"
        return self._value[:_SHOWN_PREFIX] + "***"

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("A Secret cannot be pickled: it would write the key out in clear.")
