"""Errors that cross a process boundary (`ProcessPoolExecutor`, multiprocessing), without the key.

The default pickling of an exception calls its class with `args`, which fails for the SDK's errors
(their `response=` / `request=` are keyword-only) and for the classes made per status
(`ProviderError` joined with `openai.InternalServerError` is not importable by name). An error is
pickled instead as a recipe: its public class and what picks the joined class (the status, whether it
timed out), its fields with secrets masked, and a copy of its request and response that keeps the
method, URL, status, headers and body, with every credential header masked (and any key the body echoes).
"""

from __future__ import annotations

from typing import Any

import openai

import omnigate_openai

from . import _masking
from ._masking import MASK, masked_url, masked_value
from ._sdk import httpx

__all__ = ["reduce_error"]

_TRANSPORT_FIELDS = ("request", "response")


def reduce_error(error: BaseException) -> tuple[Any, ...]:
    public = _public_class(type(error))
    status = getattr(error, "status_code", None)
    timed_out = isinstance(error, omnigate_openai.ConnectionError) and isinstance(error, openai.APITimeoutError)
    recipe = (public, status if isinstance(status, int) else None, timed_out)
    if _class_of(*recipe) is not type(error):
        recipe = (public, None, False)  # a class no recipe rebuilds: keep the public one
    state = {k: masked_value(v) for k, v in vars(error).items() if k not in _TRANSPORT_FIELDS}
    request = getattr(error, "request", None)
    response = getattr(error, "response", None)
    transport = (_request_copy(request), _response_copy(response))
    return _restore, (recipe, tuple(masked_value(arg) for arg in error.args), state, transport)


def _public_class(cls: type[BaseException]) -> type[BaseException]:
    for candidate in cls.__mro__:
        public: object = getattr(omnigate_openai, candidate.__name__, None)
        if public is candidate and isinstance(public, type) and issubclass(public, BaseException):
            return public
    return cls


def _class_of(public: type[Any], status: int | None, timed_out: bool) -> type[BaseException]:
    if timed_out:
        return omnigate_openai.ConnectionError.for_timeout(True)
    if status is not None and hasattr(public, "for_status"):
        joined: type[BaseException] = public.for_status(status)
        return joined
    return public


def _restore(
    recipe: tuple[type[Any], int | None, bool], args: tuple[Any, ...], state: dict[str, Any], transport: tuple[Any, Any]
) -> BaseException:
    cls = _class_of(*recipe)
    error: BaseException = cls.__new__(cls, *args)
    error.args = args
    vars(error).update(state)
    request, response = _rebuilt(*transport)
    if request is not None:
        vars(error)["request"] = request
    if response is not None:
        vars(error)["response"] = response
    return error


def _masked_headers(headers: Any) -> list[tuple[str, str]]:
    return [(k, MASK if k.lower() in _masking.SENSITIVE_HEADERS else v) for k, v in headers.multi_items()]


def _request_copy(request: Any) -> tuple[str, str, list[tuple[str, str]]] | None:
    if not isinstance(request, httpx.Request):
        return None
    return (request.method, masked_url(str(request.url)), _masked_headers(request.headers))


def _response_copy(response: Any) -> tuple[int, list[tuple[str, str]], bytes] | None:
    if not isinstance(response, httpx.Response):
        return None
    content = response.content if hasattr(response, "_content") else b""
    return (response.status_code, _masked_headers(response.headers), _masking.masked_bytes(content))


def _rebuilt(request: Any, response: Any) -> tuple[Any, Any]:
    rebuilt_request = None if request is None else httpx.Request(request[0], request[1], headers=request[2])
    if response is None:
        return rebuilt_request, None
    status, headers, content = response
    raw = httpx.Response(status, headers=[(k, v) for k, v in headers if k.lower() != "content-encoding"])
    raw._content = content  # the body as it was read, already decoded
    if rebuilt_request is not None:
        raw.request = rebuilt_request
    return rebuilt_request, raw
