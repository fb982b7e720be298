"""What counts as an amount: a price the gateway states, a limit or a price a user sets.

NaN, infinity (also a JSON `1e999`, which a parser reads as one), negatives and bools pass a
naive `value >= 0` or `isinstance(value, (int, float))`, and then fail far from where they came
in (an `OverflowError` at the first reservation, a negative cost). Both the gateway's price list
and the guard's arguments are checked with this one test.
"""

from __future__ import annotations

import math
from typing import TypeGuard

__all__ = ["is_amount"]


def is_amount(value: object) -> TypeGuard[float]:
    """A finite number >= 0 (an int or a float, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value) and value >= 0
    except OverflowError:  # an integer past float's range
        return False
