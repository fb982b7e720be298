"""The gateway clients a helper hands to a framework: checked, and completed into a sync/async pair.

Frameworks that take both a sync and an async client build the missing one themselves, from
`OPENAI_API_KEY` and for api.openai.com. Giving them the twin of the client the user passed closes
that door without asking the user to build two clients.
"""

from __future__ import annotations

from typing import TypeVar

import openai

from .._client import AsyncOpenAI, OpenAI

__all__ = ["as_async", "as_sync", "default_model", "gateway_client", "pair"]

_ClientT = TypeVar("_ClientT", OpenAI, AsyncOpenAI)


def gateway_client(client: object, expected: type[_ClientT]) -> _ClientT:
    """`client` itself if it is a gateway client of the expected kind; a TypeError that says what to pass."""
    if isinstance(client, expected):
        return client
    if isinstance(client, (openai.OpenAI, openai.AsyncOpenAI)) and not isinstance(client, (OpenAI, AsyncOpenAI)):
        raise TypeError(
            f"Expected an omnigate_openai.{expected.__name__}, got a plain {type(client).__module__}."
            f"{type(client).__qualname__}: its calls would not carry the gateway key. "
            f"Use `from omnigate_openai import {expected.__name__}`."
        )
    raise TypeError(f"Expected an omnigate_openai.{expected.__name__}, got {client!r}")


def as_async(client: OpenAI | AsyncOpenAI) -> AsyncOpenAI:
    """`client` if it is async; else its twin: its gateway's async client, same settings, timeout and retries."""
    if isinstance(client, AsyncOpenAI):
        return client
    return gateway_client(client, OpenAI)._twin()


def as_sync(client: OpenAI | AsyncOpenAI) -> OpenAI:
    """`client` if it is sync; else its twin: its gateway's sync client, with the same settings, timeout and retries.

    A twin that could not do what `client` does (a Flow client's async-only token renewal) is refused here.
    """
    if isinstance(client, OpenAI):
        return client
    return gateway_client(client, AsyncOpenAI)._twin()


def pair(client: OpenAI, async_client: AsyncOpenAI | None) -> tuple[OpenAI, AsyncOpenAI]:
    """Both halves, checked: `async_client` if given, else the twin of `client`."""
    sync = gateway_client(client, OpenAI)
    return sync, as_async(sync) if async_client is None else gateway_client(async_client, AsyncOpenAI)


def default_model(client: OpenAI | AsyncOpenAI, model: str | None) -> str:
    """`model`, or the default of the (checked) `client`'s gateway: a name it routes (`gpt-4o-mini` is a 404
    on Flow, which names it `openai/gpt-4o-mini`)."""
    return client._profile.default_model if model is None else model
