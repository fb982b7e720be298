"""Status + body -> error: the one place that reads OmniGate's status codes and error envelopes.

OmniGate answers errors in two envelopes (`{"detail": str | list}` from its framework and
`{"error": {...}}` from its OpenAI-compatible handlers), passes a provider's status straight
through (so a 401 may be the provider's, not ours), and tells failures apart only by message text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._exceptions import (
    APIError,
    AuthError,
    BudgetExceededError,
    ModelNotFoundError,
    ProviderError,
    RateLimitError,
)
from .._retry_after import retry_after
from .._sdk import httpx
from ._wire import (
    BUDGET_EXCEEDED,
    CIRCUIT_OPEN,
    PROVIDER_FAILURES,
    PROVIDER_NAMES,
    PROVIDER_UNAVAILABLE,
    UNKNOWN_MODEL,
)

__all__ = ["error_message", "provider_failure", "status_error", "stream_error"]

_STREAM_FAILURE_STATUS = 502
"""What the gateway itself answers for a provider failure that carries no status of its own."""


def status_error(response: httpx.Response, body: object) -> APIError:
    """The typed error for a non-2xx answer. `body` is the parsed JSON, or the text if it was not JSON."""
    status = response.status_code
    message = error_message(body, status)
    detail = _detail(body, message)
    # The SDK hands `e.body` the inner error object of an `{"error": ...}` envelope; keep that contract.
    sdk_body = body.get("error", body) if isinstance(body, Mapping) else body
    common: dict[str, Any] = {"response": response, "body": sdk_body, "detail": detail}

    failure = provider_failure(message)
    if failure is not None:
        provider, upstream = failure
        return _provider_error(status, message, provider=provider, upstream_status=upstream, **common)
    if match := re.match(CIRCUIT_OPEN, message):
        return ProviderError.for_status(status)(message, provider=match["provider"], circuit_open=True, **common)
    if match := re.match(PROVIDER_UNAVAILABLE, message):
        provider = match["provider"] or "azure"
        return ProviderError.for_status(status)(message, provider=provider, **common)
    if match := re.match(UNKNOWN_MODEL, message):
        return ModelNotFoundError.for_status(status)(message, model=match["routed"] or match["priced"], **common)
    if status in (401, 403):
        return AuthError.for_status(status)(message, **common)
    if status == 402:
        scope, period = _budget(message)
        return BudgetExceededError(message, scope=scope, period=period, **common)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after(response.headers), source="gateway", **common)
    return APIError.for_status(status)(message, **common)


def stream_error(response: httpx.Response, error: Mapping[str, object]) -> APIError:
    """The error for an in-band failure frame, sent after HTTP 200 once the provider failed mid-stream.

    The real status is recovered from the message (`"OpenAI error 401: ..."`); a failure without
    one (a dropped upstream connection) gets the 502 the gateway answers such failures with.
    """
    message = str(error.get("message") or "The provider failed during the stream")
    provider, upstream = provider_failure(message) or (None, None)
    status = upstream or _STREAM_FAILURE_STATUS
    exc = _provider_error(
        status,
        message,
        response=response,
        body=dict(error),
        detail=message,
        provider=provider,
        upstream_status=upstream,
    )
    exc.status_code = status  # the HTTP status was 200; the failure's own status is what matters
    return exc


def _provider_error(status: int, message: str, **fields: Any) -> APIError:
    exc = ProviderError.for_status(status)(message, **fields)
    if isinstance(exc, RateLimitError):
        # The gateway spent the provider's Retry-After on its own retries and does not forward it.
        exc.source = "provider"
        exc.retry_after = None
    return exc


def provider_failure(message: str) -> tuple[str | None, int | None] | None:
    """(provider, upstream status) if the message reports a provider's failure, else None."""
    for pattern in PROVIDER_FAILURES:
        if match := re.match(pattern, message):
            groups = match.groupdict()
            named = groups.get("provider")
            status = groups.get("status")
            return (
                PROVIDER_NAMES.get(named.lower()) if named else None,
                int(status) if status else None,
            )
    return None


def error_message(body: object, status: int) -> str:
    """The gateway's own words, whichever envelope carried them."""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and isinstance(error.get("message"), str) and error["message"]:
            return str(error["message"])
        detail = body.get("detail")
        if isinstance(detail, str) and detail:
            return detail
        if isinstance(detail, list):
            return _flatten_validation_errors(detail)
    if isinstance(body, str) and body.strip():
        return body.strip()
    return f"The gateway answered HTTP {status} with no message"


def _detail(body: object, message: str) -> object:
    if isinstance(body, Mapping) and isinstance(body.get("detail"), list):
        return body["detail"]
    return message


def _flatten_validation_errors(errors: list[object]) -> str:
    """`[{"loc": ["body", "temperature"], "msg": "..."}]` -> `body.temperature: ...`."""
    parts = []
    for item in errors:
        if isinstance(item, Mapping):
            loc = ".".join(str(step) for step in item.get("loc") or ())
            msg = str(item.get("msg", item))
            parts.append(f"{loc}: {msg}" if loc else msg)
        else:
            parts.append(str(item))
    return "; ".join(parts) or "Request validation failed"


def _budget(message: str) -> tuple[Any, Any]:
    match = re.match(BUDGET_EXCEEDED, message)
    if match is None:
        return None, None
    return ("project" if match["scope"] == "Project" else "org"), match["period"]
