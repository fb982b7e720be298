"""The platform JWT and its renewal: a 401 renews it once, and 100 calls failing together renew it once.

The token is shared by a client and its copies (`with_options`, `copy`), so a renewal helps them all.
Which token a failed call carried is read from the call itself: if another call has renewed the token
since, this one just retries with the new token instead of renewing again. The first call to meet the
401 renews; the others wait for that renewal whichever thread or event loop they run in (a sync client
and its async twin share the token), so two loops never renew one token twice.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import threading
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


class _Renewal:
    """One renewal in flight: a future that threads (`result()`) and event loops (`wrap_future`) can wait on."""

    __slots__ = ("done", "loop", "thread")

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self.thread = threading.get_ident()
        self.loop = loop

    def can_wait(self, loop: asyncio.AbstractEventLoop | None) -> bool:
        """Whether a caller here may wait: not if the renewal runs in this thread outside this caller's loop
        (a task of the loop a blocking call holds up): that wait would never end, so it renews on its own."""
        return self.thread != threading.get_ident() or (loop is not None and loop is self.loop)


class BearerToken:
    """The current token (masked in any repr) and how to get the next one."""

    __slots__ = ("_lock", "_refresh", "_renewal", "_token", "refreshes")

    def __init__(self, token: str, *, refresh: TokenRefresh | None) -> None:
        self._token = Secret(check_header_value("auth_token", token))
        self._refresh = refresh
        self._lock = threading.Lock()
        self._renewal: _Renewal | None = None
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
        while True:
            renewal, leading = self._join(stale, loop=None)
            if renewal is None:
                return True  # renewed meanwhile by another call
            if leading or not renewal.can_wait(None):
                try:
                    self._install(self._fetch())
                finally:
                    self._finish(renewal if leading else None)
                return True
            renewal.done.result()  # then look again: renewed, or that renewal failed and this call tries

    async def arenew(self, stale: str) -> bool:
        """`renew` for the async client: it waits for a renewal without blocking its event loop."""
        if self._refresh is None:
            return False
        loop = asyncio.get_running_loop()
        while True:
            renewal, leading = self._join(stale, loop=loop)
            if renewal is None:
                return True
            if leading or not renewal.can_wait(loop):
                try:
                    self._install(await self._afetch())
                finally:
                    self._finish(renewal if leading else None)
                return True
            await asyncio.shield(asyncio.wrap_future(renewal.done))  # shielded: a cancelled waiter cancels no renewal

    def _join(self, stale: str, *, loop: asyncio.AbstractEventLoop | None) -> tuple[_Renewal | None, bool]:
        """`(None, _)`: renewed meanwhile; `(renewal, True)`: this call renews; `(renewal, False)`: another does."""
        with self._lock:
            if self._token.reveal() != stale:
                return None, False
            if self._renewal is None:
                self._renewal = _Renewal(loop)
                return self._renewal, True
            return self._renewal, False

    def _finish(self, renewal: _Renewal | None) -> None:
        """The renewal is over, renewed or failed: its waiters look at the token again."""
        if renewal is None:
            return
        with self._lock:
            self._renewal = None
        renewal.done.set_result(None)

    def _fetch(self) -> str:
        fresh = cast(TokenRefresh, self._refresh)()
        if inspect.isawaitable(fresh):
            _close(fresh)
            raise ConfigurationError(f"`on_auth_token_refresh` returned an awaitable: {_SYNC_NEEDS_A_FUNCTION}")
        return fresh

    async def _afetch(self) -> object:
        fresh = cast(TokenRefresh, self._refresh)()
        return await fresh if inspect.isawaitable(fresh) else fresh

    def _install(self, fresh: object) -> None:
        if not isinstance(fresh, str) or not fresh:
            raise ConfigurationError(
                f"`on_auth_token_refresh` must return the new token as a non-empty string, got {type(fresh).__name__}"
            )
        secret = Secret(check_header_value("auth_token", fresh))
        with self._lock:
            self._token = secret
            self.refreshes += 1

    def __repr__(self) -> str:
        return f"BearerToken({self._token.masked!r}, refreshes={self.refreshes})"


def _close(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()  # a coroutine never awaited would warn
