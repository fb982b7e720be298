"""A guard that refuses every outgoing connection, so a replay that would touch the network fails."""

from __future__ import annotations

import ipaddress
import socket
from types import TracebackType
from typing import Any

from typing_extensions import Self


class NetworkBlocked(RuntimeError):
    """A test tried to open a connection while the network was blocked."""


class NetworkGuard:
    """Replaces `socket.socket.connect`/`connect_ex` and `socket.create_connection` while active.

    Every attempt is kept in `attempts`, even one whose exception the code under test swallowed
    (the SDK turns any transport failure into `APIConnectionError`), so the fixture can fail on it.
    """

    def __init__(self, *, allow_loopback: bool = False) -> None:
        self.allow_loopback = allow_loopback
        self.attempts: list[object] = []
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self._saved = {
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
            "create_connection": socket.create_connection,
        }
        real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
        real_create_connection = socket.create_connection

        def connect(sock: socket.socket, address: Any) -> None:
            self.check(address)
            real_connect(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            self.check(address)
            return real_connect_ex(sock, address)

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            self.check(address)
            return real_create_connection(address, *args, **kwargs)

        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.create_connection = create_connection
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        socket.socket.connect = self._saved["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = self._saved["connect_ex"]  # type: ignore[method-assign]
        socket.create_connection = self._saved["create_connection"]

    def check(self, address: Any) -> None:
        """Raise `NetworkBlocked` (and keep the attempt) unless this address is allowed."""
        if self.allow_loopback and _is_loopback(address):
            return
        self.attempts.append(address)
        raise NetworkBlocked(f"The network is blocked in this test: a connection to {address!r} was attempted")


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return False  # a Unix socket path or anything else: not ours to allow
