"""The command line as a real process (`python -m omnigate_openai.cli`), including `serve`."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from typing import Any

from omnigate_openai import OpenAI

TIMEOUT = 30


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **env, "COLUMNS": "160"}
    return subprocess.run(
        [sys.executable, "-m", "omnigate_openai.cli", *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_models_json_in_a_subprocess(env: dict[str, str]) -> None:
    done = _run("models", "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 28


def test_errors_go_to_stderr_with_status_1(env: dict[str, str]) -> None:
    done = _run("keys", "list", env={**env, "OMNIGATE_API_KEY": "llmg_wrong"})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == "error: Invalid API key"


def test_doctor_in_a_subprocess(env: dict[str, str]) -> None:
    done = _run("doctor", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All checks passed." in done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_a_local_gateway_until_stopped() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "omnigate_openai.cli", "serve", "--port", str(port), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], TIMEOUT)  # a wait with a timeout, never a hang
        assert ready, "serve announced nothing"
        announced: Any = json.loads(server.stdout.readline())
        assert announced == {"base_url": f"http://127.0.0.1:{port}/v1"}
        health = _wait_for_health(announced["base_url"])
        assert health.version == "0.2.0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=TIMEOUT)


def _wait_for_health(base_url: str) -> Any:
    deadline = time.monotonic() + TIMEOUT
    with OpenAI(base_url=base_url, _enforce_credentials=False, max_retries=0, timeout=2) as client:
        while True:
            try:
                return client.gateway.health()
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
