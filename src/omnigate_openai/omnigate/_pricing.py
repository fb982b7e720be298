"""OmniGate 0.2.0's price table, its model-name resolution and its routing rule.

The client prices calls itself and the local gateway bills them, so both must follow the server's
rules exactly: a dated name the server cannot trim back to a table entry costs $0 there, and a
client that priced it anyway would disagree with the gateway's accounting (protocol §11.1).
"""

from __future__ import annotations

import re
from collections.abc import Container
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Provider = Literal["openai", "anthropic", "gemini", "azure"]

PRICES: dict[str, tuple[float, float]] = {
    # model: (USD per 1k prompt tokens, USD per 1k completion tokens), as `GET /v1/models` lists them.
    "claude-3-5-haiku-latest": (0.0008, 0.004),
    "claude-3-5-sonnet-20241022": (0.003, 0.015),
    "claude-3-5-sonnet-latest": (0.003, 0.015),
    "claude-3-7-sonnet-latest": (0.003, 0.015),
    "claude-3-haiku": (0.00025, 0.00125),
    "claude-3-opus-latest": (0.015, 0.075),
    "claude-3-sonnet": (0.003, 0.015),
    "claude-opus-4": (0.015, 0.075),
    "claude-sonnet-4": (0.003, 0.015),
    "gemini-1.0-pro": (0.0005, 0.0015),
    "gemini-1.5-flash": (0.000075, 0.0003),
    "gemini-1.5-flash-8b": (0.0000375, 0.00015),
    "gemini-1.5-pro": (0.00125, 0.005),
    "gemini-2.0-flash": (0.0001, 0.0004),
    "gemini-2.0-flash-lite": (0.000075, 0.0003),
    "gpt-3.5-turbo": (0.0005, 0.0015),
    "gpt-4": (0.03, 0.06),
    "gpt-4-turbo": (0.01, 0.03),
    "gpt-4.1": (0.002, 0.008),
    "gpt-4.1-mini": (0.0004, 0.0016),
    "gpt-4.1-nano": (0.0001, 0.0004),
    "gpt-4o": (0.0025, 0.01),
    "gpt-4o-mini": (0.00015, 0.0006),
    "o1": (0.015, 0.06),
    "o1-mini": (0.0011, 0.0044),
    "o3": (0.01, 0.04),
    "o3-mini": (0.0011, 0.0044),
    "o4-mini": (0.0011, 0.0044),
}
"""The 28 priced models. Anything else routes (if its prefix does) but is billed $0."""

# Tried in order; the first that matches is removed once. A 4-digit suffix (`gpt-4-0613`) never matches.
_DATED_SUFFIXES = (
    re.compile(r"-\d{4}-\d{2}-\d{2}$"),
    re.compile(r"-\d{6,8}$"),
    re.compile(r"-\d{3}$"),
)

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


def resolve_priced_model(name: str, priced: Container[str] | None = None) -> str | None:
    """The price-table entry the server bills `name` as, or None when it bills $0.

    `azure/` is stripped, then one dated suffix (`-YYYY-MM-DD`, 6-8 digits or 3 digits) is trimmed.
    `priced` is the set of priced names to resolve against: this table unless the gateway's own
    prices (`GET /v1/models`) are known.
    """
    table = PRICES if priced is None else priced
    candidate = name.removeprefix("azure/")
    if candidate in table:
        return candidate
    for suffix in _DATED_SUFFIXES:
        trimmed = suffix.sub("", candidate)
        if trimmed != candidate:
            return trimmed if trimmed in table else None
    return None


def quantised_cost(prices: tuple[float, float], prompt_tokens: int, completion_tokens: int) -> Decimal:
    """The server's arithmetic: tokens / 1000 x USD per 1k, summed, quantised to 6 places half up."""
    prompt_price, completion_price = prices
    raw = Decimal(str(prompt_price)) * prompt_tokens / 1000 + Decimal(str(completion_price)) * completion_tokens / 1000
    return raw.quantize(_MICRO_DOLLAR, rounding=ROUND_HALF_UP)


def cost_decimal(model: str, prompt_tokens: int, completion_tokens: int) -> Decimal:
    """The exact amount the server stores for a call, quantised to 6 decimal places (half up)."""
    priced = resolve_priced_model(model)
    if priced is None:
        return Decimal(0).quantize(_MICRO_DOLLAR)
    return quantised_cost(PRICES[priced], prompt_tokens, completion_tokens)


def cost_usd(model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """What `cost_usd` says for a call of `model` (the provider-reported name) with these token counts."""
    return float(cost_decimal(model, prompt_tokens, completion_tokens))


__all__ = [
    "PRICES",
    "Provider",
    "cost_decimal",
    "cost_usd",
    "provider_for_model",
    "quantised_cost",
    "resolve_priced_model",
]
