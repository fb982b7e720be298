"""One TLS context for the process's gateway clients, instead of one per client.

The SDK gives every new client (not a copy) its own HTTP client, and `httpx` builds a fresh
`ssl.SSLContext` for each, loading the whole CA bundle (tens of milliseconds and most of a MiB),
even for an `http://` gateway. A context is safe to share between connections and threads, so the
shim builds the SDK's default HTTP client itself, the same in every other respect (the SDK's
`*HttpxClientWrapper` class, so its timeout, limits, redirects and `__del__`), and hands it this one
context. The context is made by `httpx` itself, as it would have made it, and is made again
whenever `SSL_CERT_FILE` or `SSL_CERT_DIR` (the environment it reads) changes. Every client built
here speaks HTTP/1.1 only, as the SDK's default does, so the ALPN list `httpcore` sets on the
context before each handshake is the same for all of them.

A user's own `http_client=` is left alone, and copies keep sharing their parent's HTTP client.
"""

from __future__ import annotations

import functools
import os
import ssl
from collections.abc import Callable
from typing import Any, TypeVar

import openai

from ._sdk import httpx

__all__ = ["http_client_sharing_tls", "shared_ssl_context"]

_ClientT = TypeVar("_ClientT")


def shared_ssl_context() -> ssl.SSLContext:
    """The context `httpx` would build for `verify=True` under the current environment, built once."""
    return _context_for((os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")))


@functools.lru_cache(maxsize=4)
def _context_for(_environment: tuple[str | None, str | None]) -> ssl.SSLContext:
    # The argument is only the cache key: `create_ssl_context` reads the same two variables itself.
    context: ssl.SSLContext = httpx.create_ssl_context()
    return context


def http_client_sharing_tls(client_class: Callable[..., _ClientT], *, base_url: str, timeout: Any) -> _ClientT:
    """The SDK's default HTTP client for `base_url` (built with its `client_class`), with the shared context.

    `timeout` is the client's `timeout=` argument as given: when it was not given, the class's own
    default applies, as it does when the SDK builds the client.
    """
    options: dict[str, Any] = {"base_url": base_url, "verify": shared_ssl_context()}
    if not isinstance(timeout, openai.NotGiven):
        options["timeout"] = timeout
    return client_class(**options)
