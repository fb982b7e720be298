"""The platform JWT and its renewal: a 401 renews it once, and 100 calls failing together renew it once.

The token is shared by a client and its copies (`with_options`, `copy`), so a renewal helps them all.
Which token a failed call carried is read from the call itself: if another call has renewed the token
since, this one just retries with the new token instead of renewing again. A lock per kind of caller
(threads; each event loop's tasks) makes the rest wait while one renews.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import weakref
from collections.abc import Awaitable, Callable
from typing import cast

from .._config import check_header_value
from .._exceptions import ConfigurationError
from .._secret import Secret

__all__ = ["BearerToken", "TokenRefresh", "checked_refresh", "refuse_coroutine_refresh"]

TokenRefresh = Callable[[], str | Awaitable[str]]
"""`on_auth_token_refresh`: returns a fresh platform token; the async client also awaits a coroutine."""


def checked_refresh(refresh: object) -> TokenRefresh | None:
    """The callback, refused now if it cannot be called as `refresh()`: else the first 401 raises a `TypeError`.

    The Flow SDK's `on_auth_token_refresh(new_token)` is told the token; ours is asked for it, so a
    callback carried over from the Flow SDK would only fail when a token first expires, hours later.
    """
    if refresh is None:
        return None
    if not callable(refresh):
        raise ConfigurationError(f"Expected `on_auth_token_refresh` to be callable, got {type(refresh).__name__}")
    try:
        parameters = inspect.signature(refresh).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: it is called as it is
        return cast(TokenRefresh, refresh)
    required = [p.name for p in parameters if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if required:
        raise ConfigurationError(
            f"`on_auth_token_refresh` is called with no arguments and returns the new token, but it requires "
            f"{', '.join(required)} (the Flow SDK's callback is told the token instead)"
        )
    return cast(TokenRefresh, refresh)


def refuse_coroutine_refresh(refresh: object, *, advice: str | None = None) -> None:
    """For the sync client: a coroutine function is refused when it is built, not at the first 401, hours later."""
    call = getattr(refresh, "__call__", None)  # noqa: B004  # an object whose `__call__` is `async def`
    if inspect.iscoroutinefunction(refresh) or inspect.iscoroutinefunction(call):
        raise ConfigurationError(f"`on_auth_token_refresh` is a coroutine function: {advice or _SYNC_NEEDS_A_FUNCTION}")


_SYNC_NEEDS_A_FUNCTION = "the sync client needs a plain function (async callbacks work with `AsyncOpenAI`)"


class BearerToken:
    """The current token (masked in any repr) and how to get the next one."""

    __slots__ = ("__weakref__", "_async_locks", "_lock", "_refresh", "_token", "refreshes")

    def __init__(self, token: str, *, refresh: TokenRefresh | None) -> None:
        self._token = Secret(check_header_value("auth_token", token))
        self._refresh = refresh
        self._lock = threading.Lock()
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self.refreshes = 0
        """How many times the token was renewed."""

    @property
    def secret(self) -> Secret:
        return self._token

    @property
    def can_refresh(self) -> bool:
        return self._refresh is not None

    @property
    def refresh(self) -> TokenRefresh | None:
        """The callback that renews the token (a twin of another kind must be able to call it)."""
        return self._refresh

    def renew(self, stale: str) -> bool:
        """After a 401 of a call that carried `stale`: whether to send it again (with the current token)."""
        if self._refresh is None:
            return False
        with self._lock:
            if self._token.reveal() != stale:
                return True  # renewed meanwhile by another call
            fresh = self._refresh()
            if inspect.isawaitable(fresh):
                _close(fresh)
                raise ConfigurationError(f"`on_auth_token_refresh` returned an awaitable: {_SYNC_NEEDS_A_FUNCTION}")
            self._install(fresh)
        return True

    async def arenew(self, stale: str) -> bool:
        """`renew` for the async client: tasks of one event loop wait on one another, not on a thread lock."""
        if self._refresh is None:
            return False
        async with self._async_lock():
            if self._token.reveal() != stale:
                return True
            fresh = self._refresh()
            if inspect.isawaitable(fresh):
                fresh = await fresh
            with self._lock:
                self._install(fresh)
        return True

    def _install(self, fresh: object) -> None:
        if not isinstance(fresh, str) or not fresh:
            raise ConfigurationError(
                f"`on_auth_token_refresh` must return the new token as a non-empty string, got {type(fresh).__name__}"
            )
        self._token = Secret(check_header_value("auth_token", fresh))
        self.refreshes += 1

    def _async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._lock:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
        return lock

    def __repr__(self) -> str:
        return f"BearerToken({self._token.masked!r}, refreshes={self.refreshes})"


def _close(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()  # a coroutine never awaited would warn
