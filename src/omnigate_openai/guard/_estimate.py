"""A call's worst case, before it is sent: the prompt at the gateway's prices plus the most it may answer.

Prompt tokens are bounded by the request's size in bytes. Every tokenizer the gateway's providers
use is byte-level or coarser: no token is shorter than one byte, so a body of N bytes (which holds
the messages, the tools and the JSON around them) cannot hold more than N prompt tokens. The bound
is loose (a token is about 4 bytes of English), which only makes the reservation safer: it is
replaced by the real cost the moment the answer arrives.

Output is bounded by the call's `max_tokens` / `max_completion_tokens`, else by the guard's
`default_output_tokens`: a call without a cap can answer more than that default, so the reservation
is exact only for calls that set one. Prices are the gateway's own (`GET /v1/models`), resolved
the way the gateway resolves them; a routed call is priced at its dearest model, fallbacks included.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._profile import Prices

__all__ = ["output_cap", "price_per_1k", "worst_case_usd"]

PricePair = tuple[float, float]


def output_cap(body: Mapping[str, Any], default: int) -> int:
    for value in (body.get("max_completion_tokens"), body.get("max_tokens")):
        if type(value) is int and value > 0:  # not a bool
            return value
    return default


def price_per_1k(
    models: Sequence[str],
    prices: Prices | None,
    fallback: PricePair | None,
    priced_model: Callable[[str, Prices], str | None],
) -> PricePair | None:
    """The dearest price among `models` (a routed call may be answered by any of them); None when unpriced.

    `priced_model` is the gateway profile's: the key of `prices` a model's calls are billed at.
    """
    found: list[PricePair] = []
    for model in models:
        priced = None if prices is None else priced_model(model, prices)
        if priced is not None and prices is not None:
            found.append(prices[priced])
        elif fallback is not None:
            found.append(fallback)
        else:
            return None
    return (max(pair[0] for pair in found), max(pair[1] for pair in found)) if found else None


def worst_case_usd(price: PricePair, prompt_tokens: int, output_tokens: int) -> int:
    """Micro-USD, rounded up (USD per 1k tokens x tokens x 1000 = micro-USD; the float's last bits forgiven)."""
    return math.ceil((price[0] * prompt_tokens + price[1] * output_tokens) * 1000 - 1e-6)
