"""What the local gateways run on: a uvicorn server on a free loopback port, in a daemon thread.

`ServerThread` binds `127.0.0.1:0` itself, so the port is known before the thread starts; it waits for
uvicorn's `started` with a timeout, and stops through `should_exit` (woken at once) with a bounded
join, then by force. `LocalGateway` and `LocalFlowGateway` share it; it knows nothing of either.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; a TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def _loopback_listener() -> socket.socket:
    """A listening socket on a free loopback port, made so its connections get `TCP_NODELAY`.

    asyncio only sets `TCP_NODELAY` on sockets whose `proto` is `IPPROTO_TCP`; `socket.create_server`
    leaves it 0, and then every answer written in two pieces waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


STOPPING = "The local gateway is stopping"
"""The message of a request task cancelled by a stop, so that a log filter can tell it from a real one."""


class _PromptServer(uvicorn.Server):
    """uvicorn's server, woken as soon as a stop is requested instead of at its next 0.1 s tick."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, polling every 5 ms where uvicorn sleeps in 0.1 s steps (lifespan is off)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 1)
        state = self.server_state
        while (state.connections or state.tasks) and not self.force_exit and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel(msg=STOPPING)
        for server in self.servers:
            with contextlib.suppress(asyncio.TimeoutError):  # 3.12+ waits for every connection to go
                await asyncio.wait_for(server.wait_closed(), 1)

    def request_exit(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already finished
                loop.call_soon_threadsafe(wake.set)


class ServerThread:
    """One run of `app`: `start()` returns once uvicorn serves, `stop()` returns once it is down."""

    def __init__(self, app: Any, *, name: str, what: str, **options: Any) -> None:
        """`name` is the thread's, `what` names the server in errors; `options` go to `uvicorn.Config`."""
        self.what = what
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            **options,
        )
        self._server = _PromptServer(config)
        self._socket = _loopback_listener()
        self.port = int(self._socket.getsockname()[1])
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name=name, daemon=True
        )

    def start(self, *, startup_timeout: float, shutdown_timeout: float) -> None:
        """Serve; on a failed or slow start, everything is stopped and closed before the error rises."""
        server, thread = self._server, self._thread
        try:
            thread.start()
            wait_for(
                lambda: server.started or not thread.is_alive(), timeout=startup_timeout, what=f"{self.what} startup"
            )
            if not server.started:
                raise RuntimeError(f"The {self.what}'s server thread exited during startup")
        except BaseException:
            self.stop(shutdown_timeout=shutdown_timeout)
            raise

    def stop(self, *, shutdown_timeout: float) -> None:
        """Waits at most `shutdown_timeout` seconds, then forces the server down (as long again at most)."""
        server, thread = self._server, self._thread
        if thread.ident is not None:  # started
            server.request_exit()
            thread.join(shutdown_timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(shutdown_timeout)
        self._socket.close()


__all__ = ["STOPPING", "ServerThread", "wait_for"]
