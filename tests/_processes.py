"""For the tests that run a real server in a subprocess (Redis, the LiteLLM proxy, `omnigate-openai serve`)."""

from __future__ import annotations

import socket
import subprocess
from typing import Any

__all__ = ["free_port", "stop"]


def free_port() -> int:
    """A loopback port that was free a moment ago, for a child to bind (or, left unbound, to be refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop(process: subprocess.Popen[Any], *, timeout: float) -> None:
    """Terminate; kill if it has not exited after `timeout` seconds. No child outlives its test."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
