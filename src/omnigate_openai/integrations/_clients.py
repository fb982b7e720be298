"""The gateway clients a helper hands to a framework: checked, and completed into a sync/async pair.

Frameworks that take both a sync and an async client build the missing one themselves, from
`OPENAI_API_KEY` and for api.openai.com. Giving them the twin of the client the user passed closes
that door without asking the user to build two clients.
"""

from __future__ import annotations

from typing import Any, TypeVar

import openai

from .._client import AsyncOpenAI, OpenAI

__all__ = ["as_async", "as_sync", "gateway_client", "pair"]

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
    """`client` if it is async; else an `AsyncOpenAI` with the same gateway settings, timeout and retries."""
    if isinstance(client, AsyncOpenAI):
        return client
    return AsyncOpenAI(**_twin_options(gateway_client(client, OpenAI)))


def as_sync(client: OpenAI | AsyncOpenAI) -> OpenAI:
    """`client` if it is sync; else an `OpenAI` with the same gateway settings, timeout and retries."""
    if isinstance(client, OpenAI):
        return client
    return OpenAI(**_twin_options(gateway_client(client, AsyncOpenAI)))


def pair(client: OpenAI, async_client: AsyncOpenAI | None) -> tuple[OpenAI, AsyncOpenAI]:
    """Both halves, checked: `async_client` if given, else the twin of `client`."""
    sync = gateway_client(client, OpenAI)
    return sync, as_async(sync) if async_client is None else gateway_client(async_client, AsyncOpenAI)


def _twin_options(client: OpenAI | AsyncOpenAI) -> dict[str, Any]:
    # The settings object carries the key, base URL, user and opt-outs; the connection pool can't be shared.
    # A guarded client's twin counts in the same guard, for the same agent: else its half of the calls went free.
    return {
        "_settings": client.settings,
        "_guard": client._guard,
        "_enforce_credentials": client.requires_credentials,
        "timeout": client.timeout,
        "max_retries": client.max_retries,
        "default_headers": client._custom_headers,
    }
