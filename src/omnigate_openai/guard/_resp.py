"""A lean path for the guard's scripts: EVALSHA written and its reply read straight on redis-py's connections.

redis-py connects (host or unix socket, TLS, AUTH, SELECT, HELLO: whatever the URL says); only the hot
path bypasses its command layer. For a guarded call that layer (a pool with a health check, a retry
wrapper, observability hooks, a generic packer and parser) costs about 100 µs of CPU per command,
several times what the round trip itself costs on loopback. Here a command is bytes packed in a few
microseconds, and a reply of the few shapes the scripts return (arrays, integers, bulk strings,
nulls, errors) is parsed in a few more. Connections are kept in a free list (one per thread or task
in use at once); one that fails is dropped, never reused.

The lean path reads private attributes of redis-py's connections (`_sock`; `_reader` and `_writer`
for asyncio), which redis-py has kept for years but does not promise. Where a connection lacks them
the same command goes through the connection's public `send_packed_command` / `read_response`:
slower by redis-py's reply parser, still one round trip, never broken by a redis-py release.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["AsyncPipe", "Pipe", "ReplyError", "evalsha", "pack", "script_sha"]

_MAX_READ = 65536
_timeout: Any = getattr(asyncio, "timeout", None)


class ReplyError(Exception):
    """Redis answered an error (`-NOSCRIPT ...`, a script error)."""


class _Incomplete(Exception):
    pass


def script_sha(lua: str) -> bytes:
    return hashlib.sha1(lua.encode()).hexdigest().encode()  # the name Redis gives a script


def pack(*items: bytes) -> bytes:
    """One command in RESP: an array of bulk strings."""
    return b"*%d\r\n" % len(items) + b"".join(b"$%d\r\n%b\r\n" % (len(item), item) for item in items)


def evalsha(sha: bytes, keys: Sequence[bytes], args: Sequence[bytes]) -> bytes:
    return pack(b"EVALSHA", sha, b"%d" % len(keys), *keys, *args)


def _parse(buffer: bytes, at: int) -> tuple[Any, int]:
    end = buffer.find(b"\r\n", at)
    if end < 0:
        raise _Incomplete
    kind, line, at = buffer[at : at + 1], buffer[at + 1 : end], end + 2
    if kind == b":":
        return int(line), at
    if kind == b"$":
        size = int(line)
        if size < 0:
            return None, at
        if len(buffer) < at + size + 2:
            raise _Incomplete
        return buffer[at : at + size], at + size + 2
    if kind in (b"*", b"~"):
        size = int(line)
        items = []
        for _ in range(max(size, 0)):
            item, at = _parse(buffer, at)
            items.append(item)
        return (items if size >= 0 else None), at
    if kind == b"_":
        return None, at
    if kind == b"+":
        return line, at
    if kind == b"#":
        return line == b"t", at
    if kind == b"-":
        return ReplyError(line.decode(errors="replace")), at
    raise ReplyError(f"Unexpected reply from Redis: {buffer[at - len(line) - 3 : at][:80]!r}")


def parse(buffer: bytes) -> tuple[Any, bool]:
    """(the reply, True) once `buffer` holds a whole reply; (None, False) while it does not."""
    try:
        reply, _ = _parse(buffer, 0)
    except _Incomplete:
        return None, False
    return reply, True


class Pipe:
    """Blocking: connections of `client`'s kind, each used by one thread at a time."""

    def __init__(self, client: Any) -> None:
        pool = client.connection_pool
        self._make: Callable[[], Any] = lambda: pool.connection_class(**pool.connection_kwargs)
        self._free: list[Any] = []
        self._pid = os.getpid()

    def call(self, command: bytes) -> Any:
        if os.getpid() != self._pid:  # a forked child must not share its parent's sockets
            self._free, self._pid = [], os.getpid()
        try:
            connection = self._free.pop()
        except IndexError:
            connection = self._make()
            connection.connect()  # redis-py's handshake: AUTH, SELECT, HELLO as the URL says
        try:
            sock = getattr(connection, "_sock", None)
            reply = _exchange(sock, command) if sock is not None else _public_exchange(connection, command)
        except BaseException:
            connection.disconnect()
            raise
        self._free.append(connection)
        if isinstance(reply, ReplyError):
            raise reply
        return reply

    def close(self) -> None:
        free, self._free = self._free, []
        for connection in free:
            connection.disconnect()


def _exchange(sock: Any, command: bytes) -> Any:
    sock.sendall(command)
    buffer = sock.recv(_MAX_READ)
    reply, whole = parse(buffer)
    while not whole:
        more = sock.recv(_MAX_READ)
        if not more:
            raise ConnectionError("Redis closed the connection")
        buffer += more
        reply, whole = parse(buffer)
    return reply


def _public_exchange(connection: Any, command: bytes) -> Any:
    import redis

    connection.send_packed_command([command], check_health=False)
    try:
        return connection.read_response()
    except redis.exceptions.ResponseError as exc:
        return _as_reply_error(exc)


class AsyncPipe:
    """Non-blocking, for one event loop: redis.asyncio connections, each used by one task at a time."""

    def __init__(self, client: Any, timeout: float) -> None:
        pool = client.connection_pool
        self._make: Callable[[], Any] = lambda: pool.connection_class(**pool.connection_kwargs)
        self._free: list[Any] = []
        self._timeout = timeout

    async def call(self, command: bytes) -> Any:
        try:
            connection = self._free.pop()
        except IndexError:
            connection = self._make()
            await connection.connect()
        try:
            if _timeout is not None:  # Python 3.11+: no extra task per command, as `wait_for` makes
                async with _timeout(self._timeout):
                    reply = await self._exchange(connection, command)
            else:
                reply = await asyncio.wait_for(self._exchange(connection, command), self._timeout)
        except BaseException:
            await connection.disconnect()
            raise
        self._free.append(connection)
        if isinstance(reply, ReplyError):
            raise reply
        return reply

    @staticmethod
    async def _exchange(connection: Any, command: bytes) -> Any:
        reader, writer = getattr(connection, "_reader", None), getattr(connection, "_writer", None)
        if reader is None or writer is None:
            return await _apublic_exchange(connection, command)
        writer.write(command)
        buffer = b""
        while True:
            more = await reader.read(_MAX_READ)
            if not more:
                raise ConnectionError("Redis closed the connection")
            buffer += more
            reply, whole = parse(buffer)
            if whole:
                return reply


async def _apublic_exchange(connection: Any, command: bytes) -> Any:
    import redis

    await connection.send_packed_command([command], check_health=False)
    try:
        return await connection.read_response()
    except redis.exceptions.ResponseError as exc:
        return _as_reply_error(exc)


def _as_reply_error(exc: Exception) -> ReplyError:
    """redis-py's error as Redis said it: redis-py strips the codes it knows (`ERR`, `NOSCRIPT`, ...) from the
    message and keeps them in `status_code`; a redis-py without that attribute tells `NOSCRIPT` by its class."""
    import redis

    code = getattr(exc, "status_code", None)
    if code is None and isinstance(exc, redis.exceptions.NoScriptError):
        code = "NOSCRIPT"
    return ReplyError(f"{code} {exc}" if code else str(exc))
