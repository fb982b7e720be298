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

from _processes import free_port, stop
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


def test_serve_runs_a_local_gateway_until_stopped() -> None:
    port = free_port()
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
        assert announced == {
            "base_url": f"http://127.0.0.1:{port}/v1",
            "root_url": f"http://127.0.0.1:{port}",
            "port": port,
        }
        health = _wait_for_health(announced["base_url"])
        assert health.version == "0.2.0"
    finally:
        stop(server, timeout=TIMEOUT)
    assert server.stdout is not None
    assert "llmg_" not in server.stdout.read()  # keys are secrets: printed only with --show-keys


def _serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "omnigate_openai.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "160"},
    )


def _first_line(server: subprocess.Popen[str]) -> str:
    assert server.stdout is not None
    ready, _, _ = select.select([server.stdout], [], [], TIMEOUT)  # a wait with a timeout, never a hang
    assert ready, "serve announced nothing"
    return server.stdout.readline()


def test_serve_on_port_0_announces_the_port_it_got_and_the_keys_on_request() -> None:
    server = _serve("--port", "0", "--json", "--show-keys")
    try:
        announced: Any = json.loads(_first_line(server))
        assert announced["port"] > 0
        assert announced["base_url"] == f"http://127.0.0.1:{announced['port']}/v1"
        with OpenAI(base_url=announced["base_url"], api_key=announced["api_key"], max_retries=0, timeout=5) as client:
            _wait_for_health(announced["base_url"])
            assert client.gateway.me().project_name
            with OpenAI(base_url=announced["base_url"], admin_key=announced["admin_key"], timeout=5) as operator:
                assert operator.gateway.admin.orgs.list()
    finally:
        stop(server, timeout=TIMEOUT)


def test_serve_banner_comes_after_binding_and_shows_no_keys() -> None:
    server = _serve("--port", "0")
    try:
        banner = _first_line(server)
        assert banner.startswith("OmniGate local gateway on http://127.0.0.1:")
        assert ":0/" not in banner
        _wait_for_health(banner.split(" on ")[1].strip())
    finally:
        stop(server, timeout=TIMEOUT)
    assert server.stdout is not None
    rest = server.stdout.read()
    assert "llmg_" not in banner + rest
    assert "pass --show-keys to print them" in rest


def test_serve_on_a_busy_port_is_one_line_and_no_banner() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "omnigate_openai.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.strip().startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert "in use" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_version() -> None:
    from omnigate_openai import __version__

    done = _run("--version", env={})
    assert (done.returncode, done.stdout.strip()) == (0, f"omnigate-openai {__version__}")


def test_without_the_cli_extra_the_script_says_so_in_one_line() -> None:
    blocker = "import sys; sys.modules['typer'] = None; sys.modules['rich'] = None; "
    done = subprocess.run(
        [sys.executable, "-c", blocker + "from omnigate_openai.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == (
        "error: the command line needs the `cli` extra: pip install '.[cli]' in a clone of omnigate-openai"
        " (see the README's Install)\n"
    )


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


def test_serve_without_the_testing_extra_says_how_to_install_it() -> None:
    blocker = "import sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None; "
    done = subprocess.run(
        [sys.executable, "-c", blocker + "from omnigate_openai.cli import main; main()", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("error: `serve` needs the testing extra: pip install '.[testing]' in a clone of")
