"""An error answer with the credentials its request carried masked: a server or proxy may echo them back.

OmniGate itself never echoes a key (a provider's 401 shows it masked, `sk-bad-o****0000`), but a proxy
before it, or a 422 listing the `input` it refused, can. The error's message, `detail` and `body`
outlive the call in logs and error trackers, so the request's gateway key, admin key, bearer token and
provider key (the `api_key` of `POST /v1/keys`) are masked in every string of the body they are built from,
and in the answer as read (`error.response.text`), which outlives the call with the error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TypeVar

from .._masking import echoed_credentials, mask_read_body, masked_in
from .._sdk import httpx
from ._wire import ADMIN_KEY_HEADER, API_KEY_HEADER

__all__ = ["mask_echoes_in_answer", "without_echoes"]

_T = TypeVar("_T")


def without_echoes(body: _T, request: httpx.Request | None) -> _T:
    """`body` (parsed JSON or text) with the request's credentials masked in every string, keys included."""
    return masked_in(body, _credentials(request))


def mask_echoes_in_answer(response: httpx.Response) -> None:
    """The request's credentials masked in the error answer's body as read (`response.text`, `.json()`)."""
    mask_read_body(response, _credentials(response.request))


def _credentials(request: httpx.Request | None) -> list[str]:
    extra = () if request is None else (_provider_key(request),)
    return echoed_credentials(request, (API_KEY_HEADER, ADMIN_KEY_HEADER), *extra)


def _provider_key(request: httpx.Request) -> str:
    try:
        sent = json.loads(request.content) if request.content else None
    except (ValueError, httpx.RequestNotRead):
        return ""
    key = sent.get("api_key") if isinstance(sent, Mapping) else None
    return key if isinstance(key, str) else ""
