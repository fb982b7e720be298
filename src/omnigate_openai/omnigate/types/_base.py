"""The base of every gateway response model: validated when it can be, tolerant when it can't."""

from __future__ import annotations

from typing import Any, ClassVar

import openai
import pydantic
from typing_extensions import Self

from ..._secret import Secret

__all__ = ["GatewayModel", "mask_secret"]


def mask_secret(value: object) -> str:
    """A key as the package shows it everywhere: a short prefix of long keys, never the rest."""
    return Secret(str(value)).masked


class GatewayModel(openai.BaseModel):
    """A gateway response, built by the SDK's `cast_to` machinery.

    The SDK builds responses without validation, which would leave budgets as strings and dates
    as text. Validation is tried first so that `Decimal` and `datetime` fields hold those types;
    if a newer server sends something unexpected, the SDK's lenient construction keeps the answer
    usable. Fields a newer server adds are kept either way (`extra="allow"`).
    """

    _secret_fields: ClassVar[tuple[str, ...]] = ()

    _list_field: ClassVar[str | None] = None
    """For a list envelope (`{"object": "list", "data": [...]}`): the field that must hold a list of objects."""

    @classmethod
    def construct(cls, _fields_set: set[str] | None = None, **values: object) -> Self:
        try:
            return cls.model_validate(values)
        except pydantic.ValidationError:
            pass
        try:
            return super().construct(_fields_set, **values)
        except TypeError:
            # openai 2.x fails on an `X | None` field holding something else (its union cache cannot hold
            # a `types.UnionType`): keep the values as sent, as pydantic's own construction does.
            return pydantic.BaseModel.model_construct.__func__(cls, _fields_set, **values)  # type: ignore[attr-defined,no-any-return]

    model_construct = construct

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            if name in self._secret_fields and isinstance(value, str):
                yield name, mask_secret(value)
            else:
                yield name, value
