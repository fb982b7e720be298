"""Answers of `client.gateway` of the wrong JSON kind, refused before the SDK builds them.

The SDK hands back JSON that is not an object as it came (`me()` returning `[]`), and a list envelope
without its list fails later with an `AttributeError`; here each is an `InvalidResponseError` saying what came.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, get_args, get_origin

from .._bad_answers import excerpt
from .._exceptions import InvalidResponseError
from .._sdk import httpx
from .types._base import GatewayModel

__all__ = ["not_the_gateway_shape"]


def not_the_gateway_shape(data: object, cast_to: Any, response: httpx.Response) -> InvalidResponseError | None:
    """JSON of the wrong kind for a `client.gateway` answer: not an object where a model was expected, not
    a list of objects where a list was (or, in an envelope such as `/v1/models`, its `data`). The SDK would
    hand it back as it came (`me()` returning `[]`), or fail on it later with an `AttributeError`."""
    if get_origin(cast_to) is list:
        (item,) = get_args(cast_to)
        if _is_gateway_model(item) and not _objects(data):
            return _odd(response, data, f"a list of objects (a list of {item.__name__} was expected)")
        return None
    if not _is_gateway_model(cast_to):
        return None
    field = cast_to._list_field
    if field is not None:
        if not isinstance(data, Mapping) or (field in data and not _objects(data[field])):
            return _odd(response, data, f"an object with a list of objects in `{field}`")
        return None
    if not isinstance(data, Mapping):
        return _odd(response, data, f"an object (a {cast_to.__name__} was expected)")
    return None


def _is_gateway_model(cast_to: object) -> bool:
    return isinstance(cast_to, type) and issubclass(cast_to, GatewayModel)


def _objects(data: object) -> bool:
    return isinstance(data, list) and all(isinstance(item, Mapping) for item in data)


def _odd(response: httpx.Response, data: object, expected: str) -> InvalidResponseError:
    return InvalidResponseError(
        f"The gateway answered HTTP {response.status_code} with JSON that is not {expected}: "
        f"{excerpt(json.dumps(data))}",
        response=response,
        body=data,
    )
