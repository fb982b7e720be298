"""The cost of a compat stream: exactly what the gateway bills, or None with the reason.

The gateway bills a stream by the model the provider reported, but its SSE chunks carry only the
*requested* name, and no header names the served one. An alias is served as a snapshot the client
cannot see: `gpt-4` is billed as `gpt-4-0613` (which the gateway cannot price: $0), and
`claude-3-5-haiku-latest` as `claude-3-5-haiku-20241022` ($0), while `gpt-4o` resolves back to
itself. Pricing the requested alias would be a guess, so the rule is:

- a pinned snapshot (`gpt-4o-mini-2024-07-18`, `gpt-4-0613`, `gemini-1.5-flash-002`): the provider
  reports the name it was asked for, so the stream is priced exactly, $0 where the gateway bills $0;
- an alias (`gpt-4o-mini`) or an Azure deployment: `cost_usd` is None, and `cost_note` says why.
"""

from __future__ import annotations

import re

from ._prices import Prices, cost_usd

__all__ = ["stream_cost"]

# The provider echoes a pinned snapshot: dates (`-2024-07-18`, `-20241022`), `-0613`, versions (`-002`).
_PINNED = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{3,8})$")


def stream_cost(prices: Prices | None, model: str, usage: object) -> tuple[float | None, str | None]:
    """(cost_usd, cost_note) of a compat stream of `model` (the requested name) with this usage chunk."""
    if prices is None:
        return None, "the gateway's prices could not be fetched"
    if model.lower().startswith(("azure/", "azure-")):
        return None, (
            f"the gateway bills an Azure stream by the model the deployment reports, and a stream names only "
            f"{model!r}; call without stream=True to get the cost"
        )
    if not _PINNED.search(model):
        return None, (
            f"the gateway bills the snapshot the provider serves for {model!r} (gpt-4 is billed as gpt-4-0613, "
            "at $0), and a stream names only the requested model; name a dated snapshot "
            "(gpt-4o-mini-2024-07-18) or call without stream=True to get the cost"
        )
    cost = cost_usd(prices, model, usage)
    return cost, None if cost is not None else "the usage chunk had no token counts"
