"""The local gateway's own price book: what OmniGate 0.2.0 bills, written from its protocol (§1.3, §3, §11.1).

This is the test double's copy, kept apart from the client's pricing on purpose: if both sides
shared one implementation, a pricing bug would show on both and every cost test would still pass.
The figures are the server's `GET /v1/models` list; the arithmetic is its `Decimal` quantisation
in the default context, which rounds half to even (0.0001025 is billed 0.000102).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

Provider = Literal["openai", "anthropic", "gemini", "azure"]

_TABLE: dict[str, tuple[str, str]] = {
    # model: (USD per 1k prompt tokens, USD per 1k completion tokens), as the server lists them
    "gpt-4o": ("0.0025", "0.01"),
    "gpt-4o-mini": ("0.00015", "0.0006"),
    "gpt-4-turbo": ("0.01", "0.03"),
    "gpt-4": ("0.03", "0.06"),
    "gpt-3.5-turbo": ("0.0005", "0.0015"),
    "gpt-4.1": ("0.002", "0.008"),
    "gpt-4.1-mini": ("0.0004", "0.0016"),
    "gpt-4.1-nano": ("0.0001", "0.0004"),
    "o1": ("0.015", "0.06"),
    "o1-mini": ("0.0011", "0.0044"),
    "o3": ("0.01", "0.04"),
    "o3-mini": ("0.0011", "0.0044"),
    "o4-mini": ("0.0011", "0.0044"),
    "claude-3-5-sonnet-latest": ("0.003", "0.015"),
    "claude-3-5-sonnet-20241022": ("0.003", "0.015"),
    "claude-3-7-sonnet-latest": ("0.003", "0.015"),
    "claude-3-5-haiku-latest": ("0.0008", "0.004"),
    "claude-3-opus-latest": ("0.015", "0.075"),
    "claude-3-sonnet": ("0.003", "0.015"),
    "claude-3-haiku": ("0.00025", "0.00125"),
    "claude-sonnet-4": ("0.003", "0.015"),
    "claude-opus-4": ("0.015", "0.075"),
    "gemini-2.0-flash": ("0.0001", "0.0004"),
    "gemini-2.0-flash-lite": ("0.000075", "0.0003"),
    "gemini-1.5-pro": ("0.00125", "0.005"),
    "gemini-1.5-flash": ("0.000075", "0.0003"),
    "gemini-1.5-flash-8b": ("0.0000375", "0.00015"),
    "gemini-1.0-pro": ("0.0005", "0.0015"),
}

PRICED_MODELS: tuple[str, ...] = tuple(sorted(_TABLE))
"""The ids `GET /v1/models` lists, alphabetically."""

_ROUTES: tuple[tuple[str, Provider], ...] = (
    ("azure/", "azure"),
    ("azure-", "azure"),
    ("models/gemini", "gemini"),
    ("gemini", "gemini"),
    ("chatgpt", "openai"),
    ("gpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("claude", "anthropic"),
)

# One of these is trimmed, the first that matches; `-0613` (4 digits) matches none of them.
_SNAPSHOT_SUFFIX = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-\d{6,8}|-\d{3})$")
_MICRO = Decimal("0.000001")


def route(model: str) -> Provider | None:
    """The provider a model name routes to, by case-insensitive prefix; None is the gateway's 400."""
    lowered = model.lower()
    return next((provider for prefix, provider in _ROUTES if lowered.startswith(prefix)), None)


def priced_as(model: str) -> str | None:
    """The table entry billed for `model` (after `azure/` and one snapshot suffix), or None: billed $0."""
    name = model[len("azure/") :] if model.startswith("azure/") else model
    if name in _TABLE:
        return name
    match = _SNAPSHOT_SUFFIX.search(name)
    if match is None:
        return None
    parent = name[: match.start()]
    return parent if parent in _TABLE else None


def unit_prices(model: str) -> tuple[float, float]:
    """A priced entry's USD per 1k (prompt, completion), as the model cards show them (floats)."""
    prompt, completion = _TABLE[model]
    return float(prompt), float(completion)


def bill(model: str, prompt_tokens: int, completion_tokens: int) -> Decimal:
    """The stored cost: tokens / 1000 x price, summed, quantised to 6 places half to even; $0 unpriced."""
    entry = priced_as(model)
    if entry is None:
        return Decimal("0.000000")
    prompt, completion = (Decimal(price) for price in _TABLE[entry])
    return (prompt * prompt_tokens / 1000 + completion * completion_tokens / 1000).quantize(_MICRO)


__all__ = ["PRICED_MODELS", "Provider", "bill", "priced_as", "route", "unit_prices"]
