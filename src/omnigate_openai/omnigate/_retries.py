"""Which failed answers are worth another attempt, for a gateway that already retries upstream.

OmniGate retries a provider's 408/429/5xx three times itself, so the client retrying those as
well would multiply one call into up to nine upstream calls. The SDK's own policy still decides
everything this module does not veto, and a caller's `max_retries=` still bounds the count.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["vetoes_retry"]


def vetoes_retry(status: int, headers: Mapping[str, str]) -> bool:
    """True when the SDK's policy would retry but the gateway has already done so, or retrying can't help.

    Decided from status and headers alone, so no body is read before the retry decision:
    - a 429 with `Retry-After` is the gateway's own per-minute limit: wait and retry (the SDK does);
      so is one with a proxy's `retry-after-ms`, which the SDK reads first; one with neither is a
      provider's 429 that the gateway already retried;
    - a 5xx with a JSON body is the gateway reporting a provider failure it already retried, or its
      open circuit breaker; a non-JSON 5xx (the gateway's own crash, or a proxy's page) is retried.
    """
    if status == 429:
        return "retry-after" not in headers and "retry-after-ms" not in headers
    if status >= 500:
        return headers.get("content-type", "").startswith("application/json")
    return False
