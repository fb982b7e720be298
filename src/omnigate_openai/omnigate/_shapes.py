"""Answers of `client.gateway` of the wrong JSON kind, or with a price that is no amount, refused before the
SDK builds them.

The SDK hands back JSON that is not an object as it came (`me()` returning `[]`), and a list envelope
without its list fails later with an `AttributeError`; here each is an `InvalidResponseError` saying what came.
A model card priced at NaN, `1e999` (infinity) or a negative would show that as its price, and price calls
with it: the card, and a list holding it, are refused the same way, naming the model and the field.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, get_args, get_origin

from .._bad_answers import excerpt
from .._exceptions import InvalidResponseError
from .._sdk import httpx
from ._pricing import card_prices

if TYPE_CHECKING:
    from .types._base import GatewayModel

__all__ = ["not_the_gateway_shape", "unpriceable_card"]


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


def unpriceable_card(data: object, cast_to: Any, response: httpx.Response) -> InvalidResponseError | None:
    """A model card (`model(id)`), or one in a model list (`models()`), whose price is no finite amount >= 0.

    Called once the answer has the right shape; a card without prices (`pricing: null`) is the gateway's
    word for a model it bills at $0, and stays.
    """
    for card in _model_cards(data, cast_to):
        try:
            card_prices(card)
        except ValueError as error:
            return InvalidResponseError(
                f"The gateway answered HTTP {response.status_code} with a price that is no amount: {error}",
                response=response,
                body=data,
            )
    return None


def _model_cards(data: object, cast_to: Any) -> list[Mapping[str, object]]:
    """The model cards of an answer: itself for a `ModelInfo`, its list for a list of them (`/v1/models`)."""
    if not isinstance(data, Mapping) or not _is_gateway_model(cast_to):
        return []
    from .types.models import ModelInfo  # loaded already: `cast_to` is one of the gateway's types

    if cast_to is ModelInfo:
        return [data]
    field = cast_to._list_field
    if field is None or cast_to.model_fields[field].annotation != list[ModelInfo]:
        return []
    return [card for card in data.get(field) or () if isinstance(card, Mapping)]


def _is_gateway_model(cast_to: object) -> bool:
    # Asked of every answer, chat ones too: the types' pydantic base (a millisecond to import) is loaded only if
    # some gateway type is, and `cast_to` can be one only then.
    base = sys.modules.get(f"{__package__}.types._base")
    model: type[GatewayModel] | None = getattr(base, "GatewayModel", None)
    return model is not None and isinstance(cast_to, type) and issubclass(cast_to, model)


def _objects(data: object) -> bool:
    return isinstance(data, list) and all(isinstance(item, Mapping) for item in data)


def _odd(response: httpx.Response, data: object, expected: str) -> InvalidResponseError:
    return InvalidResponseError(
        f"The gateway answered HTTP {response.status_code} with JSON that is not {expected}: "
        f"{excerpt(json.dumps(data))}",
        response=response,
        body=data,
    )
