"""The SDK's chat models, built by pydantic-core instead of by the SDK's recursive `construct_type`.

`openai` builds every response model, and every stream chunk, by walking its type annotations in
Python (`construct_type`): about three quarters of the client's CPU per streamed chunk. For
`ChatCompletion` and `ChatCompletionChunk`, pydantic-core's strict validation of the same data
builds the same object (same classes, field values and their types, `model_fields_set`, extras)
thirty times faster. Strict mode accepts only data that `construct_type` would take as it is, so
where validation fails the caller falls back to the SDK's lenient path, which then decides, as it
always did: the objects and errors a user sees do not change. `tests/test_fast_models.py` holds the
proof, against the reference cassettes' chunks and randomized ones, under both openai majors.

Why these two models are safe (checked by the tests on every installed SDK): no field of any model
they contain has an alias, a validator, a custom `__init__` or a default other than None; the only
plain `float` fields (log-probabilities) sit under an `Optional[...]`, which `construct_type`
resolves by pydantic's own validation too; and `extra="allow"` keeps unknown keys as they came.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
import pydantic_core

__all__ = ["construct_fast", "fast_model_types"]


@functools.cache
def fast_model_types() -> frozenset[type[pydantic.BaseModel]]:
    """The response models built here; imported on first use, so importing the package stays cheap."""
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    built = set()
    for model in (ChatCompletion, ChatCompletionChunk):
        try:
            model.model_rebuild()  # the SDK defers building validators; a model it can't build stays on its path
        except Exception:  # any failure only means: no fast path for this model
            continue
        if isinstance(model.__pydantic_validator__, pydantic_core.SchemaValidator):
            built.add(model)
    return frozenset(built)


def construct_fast(cast_to: type[Any], data: object) -> Any | None:
    """What `openai._models.construct_type(type_=cast_to, value=data)` returns, or None: use the SDK's path.

    None means "not decided here", never a result: the fast path only ever returns a model instance.
    """
    if type(data) is not dict or not isinstance(cast_to, type) or cast_to not in fast_model_types():
        return None
    try:
        built = cast_to.__pydantic_validator__.validate_python(data, strict=True)
    except pydantic.ValidationError:
        return None
    _as_constructed(built)
    return built


# `construct_type` builds a model met through a plain, list or dict annotation with the SDK's `construct`,
# which leaves unknown keys out of `model_fields_set`; one met through a union (`Optional[...]` included) it
# builds with pydantic's validation, which puts them in. Validation put them in everywhere, so they are
# taken out again along the paths `construct` would have taken: `model_dump(exclude_unset=True)` (the SDK's
# `to_dict()`) then shows exactly what it showed before.


def _as_constructed(model: pydantic.BaseModel) -> None:
    extra = model.__pydantic_extra__
    if extra:
        object.__setattr__(model, "__pydantic_fields_set__", model.__pydantic_fields_set__ - extra.keys())
    values = model.__dict__
    for name, settle in _constructed_fields(type(model)):
        settle(values[name])


_Settle = Callable[[object], None]


@functools.cache
def _constructed_fields(model: type[pydantic.BaseModel]) -> tuple[tuple[str, _Settle], ...]:
    found = []
    for name, field in model.model_fields.items():
        settle = _settler(field.annotation)
        if settle is not None:
            found.append((name, settle))
    return tuple(found)


def _settler(annotation: object) -> _Settle | None:
    """How to settle a value of this annotation as `construct_type` would have built it; None: nothing to do."""
    if type(annotation).__name__ == "TypeAliasType":  # `type X = ...`: the SDK unwraps it the same way
        return _settler(getattr(annotation, "__value__", None))
    origin = get_origin(annotation)
    if origin is Annotated:
        return _settler(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return None  # validated by the SDK too
    if origin is list:
        inner = _settler(get_args(annotation)[0]) if get_args(annotation) else None
        return None if inner is None else functools.partial(_settle_items, inner)
    if origin is dict:
        args = get_args(annotation)
        inner = _settler(args[1]) if len(args) > 1 else None
        return None if inner is None else functools.partial(_settle_values, inner)
    if origin is None and isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return _settle_model
    return None


def _settle_model(value: object) -> None:
    if isinstance(value, pydantic.BaseModel):
        _as_constructed(value)


def _settle_items(settle: _Settle, value: object) -> None:
    if isinstance(value, list):
        for item in value:
            settle(item)


def _settle_values(settle: _Settle, value: object) -> None:
    if isinstance(value, dict):
        for item in value.values():
            settle(item)
