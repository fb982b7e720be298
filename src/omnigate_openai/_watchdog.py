"""One thread that cuts connections whose time is up: the only way to bound a blocking read exactly.

A read timeout restarts with every byte, so a body that trickles forever, or a proxy that sends a
heartbeat now and then, is never cut by it; and the transport fixes a body's read timeout when the
body starts, so it cannot be shortened later. What does bound a blocked read is shutting its socket
down: the read returns at once with an end of stream, sync or async alike, and the caller turns that
into the typed error its deadline promised. Entries are cheap (a heap push under a lock); the thread
is woken only when an entry is due sooner than every other, and starts on first use.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any

__all__ = ["cancel", "socket_of", "watch"]

_lock = threading.Condition()
_due: list[tuple[float, int]] = []
_sockets: dict[int, Any] = {}
_tokens = itertools.count(1)
_thread_pid: int | None = None


def socket_of(response: Any) -> Any:  # httpx or httpx2, by the openai major
    """The socket under a response (asyncio's transport socket, async), when its transport exposes one."""
    stream = response.extensions.get("network_stream")
    getter = getattr(stream, "get_extra_info", None)
    found = getter("socket") if getter is not None else None
    return found if callable(getattr(found, "shutdown", None)) else None


def watch(sock: Any, *, at: float) -> int:
    """Shut `sock` down at `time.monotonic() == at` unless `cancel(token)` comes first."""
    global _thread_pid
    token = next(_tokens)
    with _lock:
        _sockets[token] = sock
        sooner = not _due or at < _due[0][0]
        heapq.heappush(_due, (at, token))
        if _thread_pid != os.getpid():  # first use, or a forked child without the parent's thread
            _thread_pid = os.getpid()
            threading.Thread(target=_run, name="omnigate-watchdog", daemon=True).start()
        elif sooner:
            _lock.notify()
    return token


def cancel(token: int) -> None:
    """The watched work ended in time: leave its socket alone."""
    with _lock:
        _sockets.pop(token, None)


def _run() -> None:
    while True:
        with _lock:
            while not _due:
                _lock.wait()
            at, token = _due[0]
            wait = at - time.monotonic()
            if wait > 0:
                _lock.wait(wait)
                continue
            heapq.heappop(_due)
            sock = _sockets.pop(token, None)
        if sock is not None:
            with contextlib.suppress(OSError):  # closed meanwhile
                sock.shutdown(socket.SHUT_RDWR)
