"""Status + body -> error for the Flow gateway: the one place that reads its statuses and envelopes.

Three layers answer a Flow call and each has its own envelope: the platform API
(`{"code", "message", "details": [{"field": ...}]}`), LiteLLM behind it
(`{"error": {"message", "type", "param", "code"}}`), FastAPI's defaults (`{"detail": ...}`), and a
proxy in front may answer plain text. The message is taken from whichever arrived. The classes are
the package's one tree (`_exceptions.py`), so `except GatewayAuthError` written for the Flow SDK and
`except openai.AuthenticationError` both keep working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from .._exceptions import APIError, AuthError, ModelNotFoundError, ProviderError, RateLimitError
from .._masking import echoed_credentials, mask_read_body, masked_in
from .._retry_after import retry_after
from .._sdk import httpx
from ._wire import API_KEY_HEADER, API_PATH, ENV_BASE_URL

__all__ = ["error_message", "scrubbed_body", "status_error", "stream_error"]

_GATEWAY = "The Flow gateway"

_BodyT = TypeVar("_BodyT")

_LITELLM_PROVIDER_REFUSAL = re.compile(r"^litellm\.(?:AuthenticationError|PermissionDeniedError)\b")
"""How LiteLLM words a 401/403 of the *provider* (its key refused): the platform's token was fine.

The platform authenticates before LiteLLM is reached, so a 401 in LiteLLM's words is never about the
caller's credential: it is a `ProviderError` (still an `openai.AuthenticationError`), and renewing the
token would not help."""

_ROUTE_NOT_FOUND = {"detail": "Not Found"}
"""FastAPI's answer, exactly, for a path it has no route for: the URL is wrong (a `base_url` that is not
the platform root). The platform and LiteLLM say which model or provider is unknown in their own words."""

_LITELLM_UNKNOWN_MODEL = re.compile(r"Invalid model name passed in model=(?P<model>\S+?)\.?(?:\s|$)")
"""LiteLLM's answer (HTTP 400) for a model its router does not know, where the platform answers 404."""


def status_error(response: httpx.Response, body: object) -> APIError:
    """The typed error for a non-2xx answer; `body` is the parsed JSON, or the text if it was not JSON."""
    status = response.status_code
    body = scrubbed_body(body, response.request)
    mask_read_body(response, _credentials(response.request))  # `error.response.text` outlives the call too
    message = error_message(body, status)
    common: dict[str, Any] = {"response": response, "body": body, "detail": _detail(body, message)}
    if status in (401, 403):
        if _LITELLM_PROVIDER_REFUSAL.match(message):
            provider = _provider_of(_requested_model(response.request))
            return ProviderError.for_status(status)(message, provider=provider, upstream_status=status, **common)
        return AuthError.for_status(status)(message, **common)
    if status == 404 and body == _ROUTE_NOT_FOUND:
        return APIError.for_status(status)(_no_route(response.request), **common)
    unknown_model = _LITELLM_UNKNOWN_MODEL.search(message)
    if status == 404 or (status == 400 and unknown_model):
        model = unknown_model["model"] if unknown_model else _requested_model(response.request)
        return ModelNotFoundError.for_status(status)(message, model=model, **common)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after(response.headers), **common)
    if status == 502:
        provider = _provider_of(_requested_model(response.request))
        return ProviderError.for_status(status)(message, provider=provider, **common)
    return APIError.for_status(status)(message, **common)


def _no_route(request: httpx.Request) -> str:
    """Which URL was not found (its path: the query is no part of a route), and where the mistake usually is."""
    url = request.url
    asked = f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"
    return (
        f"URL not found: {request.method} {asked} answered 404 with FastAPI's `Not Found`, the answer for a path "
        f"the server has no route for. Check `base_url` (or `{ENV_BASE_URL}`): the platform's root URL, "
        f"e.g. https://api.example.com, to which the client adds `{API_PATH}`."
    )


def stream_error(response: httpx.Response, failure: Mapping[str, object]) -> APIError:
    """The error of an in-band failure frame (LiteLLM's `data: {"error": {...}}` after HTTP 200).

    LiteLLM puts the status in the frame's `code`; one without a status is the provider's failure (502).
    A 401/403 here is the provider's refusal: the platform had authenticated the call before its 200.
    """
    body = scrubbed_body(dict(failure), response.request)
    message = str(body.get("message") or f"{_GATEWAY} failed during the stream")
    status = _status_in(body.get("code")) or 502
    if status == 429:
        exc: APIError = RateLimitError(message, response=response, body=body, detail=message, source="provider")
    elif status in (401, 403):
        provider = _provider_of(_requested_model(response.request))
        exc = ProviderError.for_status(status)(
            message, response=response, body=body, detail=message, provider=provider, upstream_status=status
        )
    elif status < 500:
        exc = APIError.for_status(status)(message, response=response, body=body, detail=message)
    else:
        provider = _provider_of(_requested_model(response.request))
        exc = ProviderError.for_status(status)(message, response=response, body=body, detail=message, provider=provider)
    exc.status_code = status  # the HTTP status was 200; the failure's own status is what matters
    return exc


def error_message(body: object, status: int) -> str:
    """The server's own words, whichever of the four envelopes carried them."""
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping) and _text(error.get("message")):
            return _text(error.get("message"))
        if _text(error):
            return _text(error)
        if _text(body.get("message")):
            return _with_fields(_text(body.get("message")), body.get("details"))
        detail = body.get("detail")
        if _text(detail):
            return _text(detail)
        if isinstance(detail, list) and detail:
            return _flatten(detail)
        if isinstance(detail, Mapping) and _text(detail.get("message")):
            return _text(detail.get("message"))
    if isinstance(body, str) and body.strip():
        return body.strip()
    return f"{_GATEWAY} answered HTTP {status} with no message"


def scrubbed_body(body: _BodyT, request: httpx.Request | None) -> _BodyT:
    """`body` with the request's credentials masked in every string, keys included; the rest kept as it was.

    The error keeps its body (`error.body`), which outlives the call in logs and error trackers.
    """
    return masked_in(body, _credentials(request))


def _credentials(request: httpx.Request | None) -> list[str]:
    return echoed_credentials(request, (API_KEY_HEADER,))


def _with_fields(message: str, details: object) -> str:
    """The platform's `details` name the fields at fault; a message that doesn't, gets them appended."""
    if not isinstance(details, list):
        return message
    fields = [str(item["field"]) for item in details if isinstance(item, Mapping) and item.get("field")]
    missing = [field for field in fields if field not in message]
    return f"{message} (field: {', '.join(missing)})" if missing else message


def _flatten(errors: list[object]) -> str:
    """FastAPI's validation list `[{"loc": ["body", "model"], "msg": "..."}]` -> `body.model: ...`."""
    parts = []
    for item in errors:
        if isinstance(item, Mapping):
            steps = item.get("loc")  # a list of path steps; a bare step or nothing from looser servers
            loc = "" if steps is None else str(steps)
            if isinstance(steps, (list, tuple)):
                loc = ".".join(map(str, steps))
            msg = str(item.get("msg", item))
            parts.append(f"{loc}: {msg}" if loc else msg)
        else:
            parts.append(str(item))
    return "; ".join(parts)


def _detail(body: object, message: str) -> object:
    if isinstance(body, Mapping):
        for key in ("details", "detail"):
            if isinstance(body.get(key), list) and body[key]:
                return body[key]
    return message


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _status_in(code: object) -> int | None:
    try:
        status = int(str(code))
    except ValueError:
        return None
    return status if 400 <= status <= 599 else None


def _requested_model(request: httpx.Request | None) -> str | None:
    """The model the failed call named (Flow names are `provider/model`), read back from the request."""
    if request is None or not request.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(request.content)
    except (ValueError, httpx.RequestNotRead):
        return None
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


def _provider_of(model: str | None) -> str | None:
    if model is None or "/" not in model:
        return None
    return model.split("/", 1)[0]
