"""The tests' one guard on outgoing sockets: a replay reaches nothing, a live test only loopback.

`tests/replay` replays with nothing allowed (and records with any loopback port allowed);
`tests/integrations` allows only the local gateway's port, so a framework that bypasses the
gateway client and heads for api.openai.com fails the test. Both fail the test on teardown if
anything else was attempted, even when the code under test swallowed the guard's error.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import pytest
from typing_extensions import Self

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


class NetworkBlocked(OSError):
    """A connection or name lookup the test does not allow.

    An `OSError`, as a refused connection is, so the code under test handles it as it would the real
    failure (the SDK turns it into `APIConnectionError`); the guard's `attempts` fail the test anyway.
    """


class SocketGuard:
    """Checks `socket.getaddrinfo`, `socket.socket.connect`/`connect_ex` and `socket.create_connection`.

    `loopback=False` allows no connection at all; `True` any loopback address; a set of ports only
    loopback connections to those (`allow_port()` adds one, e.g. once the gateway listens). A name
    lookup is allowed for loopback names only: with no network, a lookup of api.openai.com fails at
    DNS, before any `connect`, so it is where a bypass shows first. Every refusal is kept in `attempts`.
    """

    def __init__(self, *, loopback: bool | Iterable[int] = False) -> None:
        self._any_loopback = loopback is True
        self._ports: set[int] = set() if isinstance(loopback, bool) else set(loopback)
        self.attempts: list[object] = []
        self._saved: tuple[Any, ...] = ()

    @property
    def allows_loopback(self) -> bool:
        return self._any_loopback or bool(self._ports)

    def allow_port(self, port: int) -> None:
        """Allow loopback connections to `port` from now on."""
        self._ports.add(port)

    def __enter__(self) -> Self:
        self._saved = (socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex, socket.create_connection)
        real_getaddrinfo, real_connect, real_connect_ex, real_create_connection = self._saved

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            self.check_host(host)
            return real_getaddrinfo(host, port, *args, **kwargs)

        def connect(sock: socket.socket, address: Any) -> None:
            self.check(address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            self.check(address)
            return int(real_connect_ex(sock, address))

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            self.check(address)
            return real_create_connection(address, *args, **kwargs)  # type: ignore[no-any-return]

        socket.getaddrinfo = getaddrinfo
        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.create_connection = create_connection
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex, socket.create_connection = self._saved

    def check_host(self, host: Any) -> None:
        """Refuse (and keep) a name lookup of anything but a loopback name or address."""
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not _is_loopback(name):  # None: the local wildcard, which sends nothing
            self._refuse(name)

    def check(self, address: Any) -> None:
        """Refuse (and keep) a connection to `address` unless it is allowed."""
        loopback = isinstance(address, tuple) and len(address) >= 2 and _is_loopback(str(address[0]))
        if not (loopback and (self._any_loopback or address[1] in self._ports)):
            self._refuse(address)

    def _refuse(self, target: object) -> None:
        self.attempts.append(target)
        raise NetworkBlocked(f"This test may not reach {target!r} ({self._allowed()})")

    def _allowed(self) -> str:
        if self._any_loopback:
            return "only loopback is allowed"
        if self._ports:
            return f"only loopback port(s) {', '.join(map(str, sorted(self._ports)))} allowed"
        return "no connection is allowed"


@contextmanager
def guarded(*, loopback: bool | Iterable[int] = False, what: str) -> Iterator[SocketGuard]:
    """A `SocketGuard` for a fixture's test: the test fails on teardown if it attempted anything refused.

    A test whose point is a refused attempt clears `guard.attempts` once it has looked at them.
    """
    with SocketGuard(loopback=loopback) as guard:
        yield guard
    if guard.attempts:
        pytest.fail(f"{what}: {guard.attempts!r}")


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another name, or a Unix socket path: not ours to allow


__all__ = ["NetworkBlocked", "SocketGuard", "guarded"]
