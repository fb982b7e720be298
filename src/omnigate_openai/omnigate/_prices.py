"""The cost of a call on the OpenAI-compatible route, which (unlike `/v1/chat`) reports none.

The gateway bills `usage` at its own prices (`GET /v1/models`), resolving the provider-reported
model name its own way and quantising to 6 decimal places. The client does the same with the same
prices, fetched once per client, so `meta(completion).cost_usd` agrees with `/v1/metrics`. Without
prices the cost is None, never a guess: a failed price fetch must not fail the completion.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ._pricing import quantised_cost, resolve_priced_model

__all__ = ["PriceCache", "Prices", "cost_usd", "prices_from_models"]

Prices = Mapping[str, tuple[float, float]]
"""Model id -> (USD per 1,000 prompt tokens, USD per 1,000 completion tokens)."""

RETRY_AFTER_FAILURE = 60.0
"""Seconds before a failed price fetch is tried again, so a gateway without `/v1/models` isn't asked per call."""


def cost_usd(prices: Prices, model: str, usage: object) -> float | None:
    """What the gateway bills for `usage` on `model` (the provider-reported name), or None without usage.

    Like the server, a name that does not resolve to a priced model (`gpt-4-0613`) costs 0.0.
    """
    prompt, completion = _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens")
    if prompt is None or completion is None:
        return None
    priced = resolve_priced_model(model, prices)
    return 0.0 if priced is None else float(quantised_cost(prices[priced], prompt, completion))


def prices_from_models(listing: object) -> dict[str, tuple[float, float]]:
    """The prices in a `GET /v1/models` answer (`{"data": [{"id", "pricing": {...}}]}`); unpriced cards skipped."""
    data = listing.get("data") if isinstance(listing, Mapping) else None
    if not isinstance(data, list):
        raise ValueError(f"Expected a model list with `data`, got {listing!r:.200}")
    prices: dict[str, tuple[float, float]] = {}
    for card in data:
        pricing = card.get("pricing") if isinstance(card, Mapping) else None
        if isinstance(pricing, Mapping) and isinstance(card.get("id"), str):
            prices[card["id"]] = (float(pricing["input_per_1k_usd"]), float(pricing["output_per_1k_usd"]))
    return prices


class PriceCache:
    """The gateway's prices, fetched at most once per client (and its copies), thread- and task-safe.

    `load` / `aload` fetch unless the prices are known; `prices` is what is known now (None before
    the first successful fetch). A failure is remembered for `RETRY_AFTER_FAILURE` seconds.
    """

    def __init__(self) -> None:
        self._prices: Prices | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None

    @property
    def prices(self) -> Prices | None:
        return self._prices

    def load(self, fetch: Callable[[], object]) -> Prices | None:
        if not self._wanted():
            return self._prices
        with self._lock:
            if self._wanted():
                self._store(_attempt(fetch))
        return self._prices

    async def aload(self, fetch: Callable[[], Awaitable[object]]) -> Prices | None:
        if not self._wanted():
            return self._prices
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        async with self._async_lock:
            if self._wanted():
                try:
                    listing: object = await fetch()
                except Exception:  # a price fetch never fails the call it prices
                    listing = None
                self._store(_parsed(listing))
        return self._prices

    def _wanted(self) -> bool:
        if self._prices is not None:
            return False
        return self._failed_at is None or time.monotonic() - self._failed_at >= RETRY_AFTER_FAILURE

    def _store(self, prices: Prices | None) -> None:
        if prices is None:
            self._failed_at = time.monotonic()
        else:
            self._prices, self._failed_at = prices, None


def _attempt(fetch: Callable[[], object]) -> Prices | None:
    try:
        listing = fetch()
    except Exception:  # a price fetch never fails the call it prices
        return None
    return _parsed(listing)


def _parsed(listing: Any) -> Prices | None:
    try:
        return prices_from_models(listing) or None
    except (ValueError, TypeError, KeyError):
        return None


def _tokens(usage: object, name: str) -> int | None:
    value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
