"""The fault table both gateway profiles are held to: one row per kind of failure, four ways to call.

Each profile's driver (`tests/test_fault_table_omnigate.py`, `tests/flow/test_fault_table_flow.py`)
says how its gateway produces each kind; the expectations (the gateway class raised, the `openai`
class it must also be) are here, once, for every profile, sync and async, streamed or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import openai

import omnigate_openai as og


@dataclass(frozen=True)
class FaultKind:
    name: str
    raises: type[Exception]
    """The gateway class every profile raises for it."""
    also: Mapping[str, type[Exception]]
    """The `openai` class it must also be, by profile (the status differs: OmniGate answers 400 for an
    unknown model where Flow answers 404)."""


def _both(also: type[Exception]) -> dict[str, type[Exception]]:
    return {"omnigate": also, "flow": also}


FAULT_KINDS = [
    FaultKind("credential refused", og.AuthError, _both(openai.AuthenticationError)),
    FaultKind("rate limited", og.RateLimitError, _both(openai.RateLimitError)),
    FaultKind("provider failed", og.ProviderError, _both(openai.InternalServerError)),
    FaultKind(  # OmniGate answers 400 for a model it cannot route, Flow 404
        "unknown model",
        og.ModelNotFoundError,
        {"omnigate": openai.BadRequestError, "flow": openai.NotFoundError},
    ),
    FaultKind("invalid request", og.APIError, _both(openai.UnprocessableEntityError)),
]

MODES = ["sync", "sync stream", "async", "async stream"]


@dataclass(frozen=True)
class Arranged:
    """How one profile's gateway produces a kind: the call to make, and the words the error must carry."""

    request: dict[str, Any]
    message: str
    client: dict[str, Any]


def call_sync(client: Any, request: dict[str, Any], *, stream: bool) -> None:
    """Make the call; a stream is read to its end, since a failure may arrive in-band."""
    if stream:
        for _chunk in client.chat.completions.create(**request, stream=True):
            pass
    else:
        client.chat.completions.create(**request)


async def call_async(client: Any, request: dict[str, Any], *, stream: bool) -> None:
    if stream:
        async for _chunk in await client.chat.completions.create(**request, stream=True):
            pass
    else:
        await client.chat.completions.create(**request)


def check(error: BaseException, kind: FaultKind, profile: str, arranged: Arranged) -> None:
    assert isinstance(error, kind.raises), type(error).__mro__
    assert isinstance(error, kind.also[profile]), type(error).__mro__
    assert isinstance(error, openai.APIStatusError)
    assert arranged.message in str(error), str(error)


__all__ = ["FAULT_KINDS", "MODES", "Arranged", "FaultKind", "call_async", "call_sync", "check"]
