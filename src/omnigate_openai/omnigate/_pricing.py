"""OmniGate's pricing: one function prices a call, one cache per client holds the gateway's prices.

The compat route reports no cost, so the client prices a call the way the gateway bills it: usage x
the gateway's own prices (`GET /v1/models`, USD per 1,000 tokens), the provider-reported name
resolved as the server resolves it, the sum quantised to 6 decimal places half to even (protocol
§11.1). A name the server cannot resolve to a priced model (`gpt-4-0613`) is billed $0 there, so it
costs 0.0 here. When the figure cannot be known (no prices, no usage, a stream of an alias), the
cost is None with the reason, never a guess. Used by `meta()` (compat answers and streams) and by
`client.gateway.price()` / `models()`, which share the client's `PriceCache`. The local gateway
bills with its own price book (`testing/_price_book.py`): it imports nothing from here.

The routing rule (`provider_for_model`) lives here too: the server decides routing by the same
model-name prefixes it prices by.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Awaitable, Callable, Container, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Literal, NamedTuple, TypeGuard

from .._numbers import is_amount
from .._profile import Prices

__all__ = [
    "Cost",
    "PriceCache",
    "Prices",
    "Provider",
    "card_prices",
    "price_call",
    "prices_from_models",
    "provider_for_model",
    "resolve_priced_model",
    "token_counts",
]

Provider = Literal["openai", "anthropic", "gemini", "azure"]

# Tried in order; the first that matches is removed once. A 4-digit suffix (`gpt-4-0613`) never matches.
_DATED_SUFFIXES = (r"-\d{4}-\d{2}-\d{2}$", r"-\d{6,8}$", r"-\d{3}$")  # as text: `re` compiles on first use

_PREFIXES: tuple[tuple[str, Provider], ...] = (
    ("azure/", "azure"),
    ("azure-", "azure"),
    ("gpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("chatgpt", "openai"),
    ("claude", "anthropic"),
    ("gemini", "gemini"),
    ("models/gemini", "gemini"),
)

_MICRO_DOLLAR = Decimal("0.000001")


def provider_for_model(name: str) -> Provider | None:
    """Which provider OmniGate routes `name` to, by prefix only (case-insensitive); None means a 400.

    There is no `provider/model` namespace apart from Azure's: `anthropic/claude-…` does not route.
    """
    lowered = name.lower()
    for prefix, provider in _PREFIXES:
        if lowered.startswith(prefix):
            return provider
    return None


def resolve_priced_model(name: str, priced: Container[str]) -> str | None:
    """The entry of `priced` (the gateway's priced model ids) the server bills `name` as, or None: $0.

    `azure/` is stripped, then one dated suffix (`-YYYY-MM-DD`, 6-8 digits or 3 digits) is trimmed.
    """
    table = priced
    candidate = name.removeprefix("azure/")
    if candidate in table:
        return candidate
    for suffix in _DATED_SUFFIXES:
        trimmed = re.sub(suffix, "", candidate)
        if trimmed != candidate:
            return trimmed if trimmed in table else None
    return None


RETRY_AFTER_FAILURE = 60.0
"""Seconds before a failed price fetch is tried again, so a gateway without `/v1/models` isn't asked per call."""

# The provider echoes a pinned snapshot: dates (`-2024-07-18`, `-20241022`), `-0613`, versions (`-002`).
_PINNED = r"-(?:\d{4}-\d{2}-\d{2}|\d{3,8})$"


class Cost(NamedTuple):  # not a dataclass: a quarter of its import time
    """What the gateway bills for a call in USD (`usd`), or None and, in `note`, why it cannot be known."""

    usd: float | None
    note: str | None = None


def price_call(prices: Prices | None, model: str, usage: object, *, stream: bool = False) -> Cost:
    """The cost of one call of `model` with `usage`, as the gateway bills it; never raises.

    `model` is the provider-reported name (a compat answer's `model`); for a compat stream
    (`stream=True`) it is the *requested* name, the only one the stream carries. The gateway bills a
    stream by the model the provider served, which the client cannot see for an alias (`gpt-4` is
    billed as `gpt-4-0613`, at $0) or an Azure deployment: those cost None with the reason, while a
    pinned snapshot (`gpt-4o-mini-2024-07-18`, `gpt-4-0613`) is served under its own name and priced.
    """
    if prices is None:
        return Cost(None, "the gateway's prices could not be fetched")
    if stream and model.lower().startswith(("azure/", "azure-")):
        return Cost(
            None,
            (
                f"the gateway bills an Azure stream by the model the deployment reports, and a stream names only "
                f"{model!r}; call without stream=True to get the cost"
            ),
        )
    if stream and not re.search(_PINNED, model):
        return Cost(
            None,
            (
                f"the gateway bills the snapshot the provider serves for {model!r} (gpt-4 is billed as gpt-4-0613, "
                "at $0), and a stream names only the requested model; name a dated snapshot "
                "(gpt-4o-mini-2024-07-18) or call without stream=True to get the cost"
            ),
        )
    try:
        prompt_tokens, completion_tokens = token_counts(usage)
    except TypeError as error:
        return Cost(None, str(error))
    priced = resolve_priced_model(model, prices)
    if priced is None:
        return Cost(0.0)
    prompt_price, completion_price = prices[priced]
    raw = Decimal(str(prompt_price)) * prompt_tokens / 1000 + Decimal(str(completion_price)) * completion_tokens / 1000
    # The server quantises in `Decimal`'s default context, which rounds half to even: 0.0001025 is
    # billed 0.000102, not 0.000103. Past that context's 28 digits (or with a price that is no number)
    # the server could not have billed the call either.
    try:
        billed = raw.quantize(_MICRO_DOLLAR, rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        billed = Decimal("NaN")
    if not billed.is_finite():
        tokens = f"{prompt_tokens} prompt and {completion_tokens} completion tokens"
        return Cost(None, f"{tokens} at {priced}'s price cannot be billed: past 28 digits, or the price is no number")
    return Cost(float(billed))


def token_counts(usage: object) -> tuple[int, int]:
    """Prompt and completion tokens from an `openai` usage object, a gateway `usage` or a mapping."""
    if isinstance(usage, Mapping):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens", 0)
    else:
        prompt, completion = getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", 0)
    if _is_count(prompt) and _is_count(completion):
        return prompt, completion
    raise TypeError(
        "Expected usage with integer `prompt_tokens` and `completion_tokens` "
        f"(an openai CompletionUsage or a mapping), got {usage!r:.200}"
    )


def prices_from_models(listing: object) -> dict[str, tuple[float, float]]:
    """The prices in a `GET /v1/models` answer (`{"data": [{"id", "pricing": {...}}]}`); unpriced cards skipped.

    Raises ValueError for a list without `data`, or with a price that is no finite amount >= 0 (`card_prices`).
    """
    data = listing.get("data") if isinstance(listing, Mapping) else None
    if not isinstance(data, list):
        raise ValueError(f"Expected a model list with `data`, got {listing!r:.200}")
    prices: dict[str, tuple[float, float]] = {}
    for card in data:
        if isinstance(card, Mapping) and isinstance(card.get("id"), str) and (pair := card_prices(card)) is not None:
            prices[card["id"]] = pair
    return prices


def card_prices(card: Mapping[str, object]) -> tuple[float, float] | None:
    """A model card's (prompt, completion) price; None for a card the gateway cannot price (`pricing: null`).

    A price that is no finite amount >= 0 (NaN, `1e999`, a negative, a string, none at all) is not a price
    the gateway bills by, nor one to show or reserve at: ValueError, naming the model and the field.
    """
    pricing = card.get("pricing")
    if pricing is None:
        return None
    if not isinstance(pricing, Mapping):
        raise ValueError(f"model {card.get('id')!r} has `pricing` = {pricing!r:.100}, not an object of prices")
    pair: list[float] = []
    for field in ("input_per_1k_usd", "output_per_1k_usd"):
        value = pricing.get(field)
        if not is_amount(value):
            raise ValueError(
                f"model {card.get('id')!r} has `pricing.{field}` = {value!r:.100}, not a finite amount >= 0"
            )
        pair.append(float(value))
    return pair[0], pair[1]


class PriceCache:
    """The gateway's prices, fetched at most once per client (and its copies), thread- and task-safe.

    The one cache of a client: `meta()` reads it (`load` / `aload` fetch unless the prices are
    known, and never raise: a failed fetch is remembered for `RETRY_AFTER_FAILURE` seconds), and
    `client.gateway.models()` refreshes it (`store`), which `gateway.price()` relies on.
    """

    def __init__(self) -> None:
        self._prices: Prices | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None

    @property
    def prices(self) -> Prices | None:
        return self._prices

    def store(self, prices: Prices) -> None:
        """Replace the prices with a fresh list (an empty one leaves them as they were)."""
        if prices:
            self._prices, self._failed_at = prices, None

    def load(self, fetch: Callable[[], object]) -> Prices | None:
        if not self._wanted():
            return self._prices
        with self._lock:
            if self._wanted():
                self._remember(_attempt(fetch))
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
                self._remember(_parsed(listing))
        return self._prices

    def _wanted(self) -> bool:
        if self._prices is not None:
            return False
        return self._failed_at is None or time.monotonic() - self._failed_at >= RETRY_AFTER_FAILURE

    def _remember(self, prices: Prices | None) -> None:
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


def _parsed(listing: object) -> Prices | None:
    try:
        return prices_from_models(listing) or None
    except ValueError:  # not a list of cards, or a price the gateway could not bill by
        return None


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
