"""A gateway (or a proxy before it) that echoes a key in its error message: the command line never prints it,
whether the key came from the environment, an option or the prompt; run as a real process, output not a tty."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from _fakes import fake_key
from _hostile import HostileServer, hostile_server

KEY = fake_key("llmg_", "echoed-by-the-gateway-0123456789")
ADMIN_KEY = fake_key("adm_", "echoed-by-the-gateway-0123456789")
PROVIDER_KEY = fake_key("sk-proj-", "echoed-by-the-gateway-0123456789")
SECRETS = (KEY, ADMIN_KEY, PROVIDER_KEY)
TIMEOUT = 30


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server() as (found, _):
        yield found


def _run(*args: str, env: dict[str, str], input: str | None = None) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OMNIGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "omnigate_openai.cli", *args],
        env={**clean, **env, "COLUMNS": "400"},
        input=input,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _assert_masked(done: subprocess.CompletedProcess[str], server: HostileServer) -> str:
    assert server.requests, "the command reached the server"
    assert done.returncode == 1, done.stderr
    output = done.stdout + done.stderr
    for secret in SECRETS:
        assert secret not in output
    return output


@pytest.mark.parametrize("command", [["models"], ["keys", "list"], ["metrics"], ["keys", "create", "ci"]])
@pytest.mark.parametrize("given", ["env", "options"])
def test_an_echoed_gateway_key_is_masked_in_the_error_line(
    command: list[str], given: str, server: HostileServer
) -> None:
    url = f"{server.url}/echo_credentials_401/v1"
    if given == "env":
        done = _run(*command, env={"OMNIGATE_BASE_URL": url, "OMNIGATE_API_KEY": KEY, "OMNIGATE_ADMIN_KEY": ADMIN_KEY})
    else:
        done = _run("--base-url", url, "--api-key", KEY, "--admin-key", ADMIN_KEY, *command, env={})
    _assert_masked(done, server)
    assert done.stderr.startswith("error: Invalid credentials [secure]")


@pytest.mark.parametrize("as_json", [False, True])
def test_doctor_masks_an_echoed_key_in_its_report(as_json: bool, server: HostileServer) -> None:
    url = f"{server.url}/echo_credentials_401/v1"
    args = ["doctor", "--json"] if as_json else ["doctor"]
    done = _run("--base-url", url, "--api-key", KEY, "--admin-key", ADMIN_KEY, *args, env={})
    output = _assert_masked(done, server)
    if as_json:
        details = {check["name"]: check["detail"] for check in json.loads(done.stdout)["checks"]}
        assert details["gateway key"].startswith("Invalid credentials [secure]")
        assert details["admin key"].startswith("Invalid credentials")
        assert "[secure]" in details["admin key"]
    else:
        assert "✗ gateway key: Invalid credentials [secure]" in output
        assert "✗ admin key: Invalid credentials " in output


@pytest.mark.parametrize("given", ["option", "env", "prompt"])
def test_an_echoed_provider_key_is_masked(given: str, server: HostileServer) -> None:
    env = {"OMNIGATE_BASE_URL": f"{server.url}/echo_credentials_401/v1", "OMNIGATE_API_KEY": KEY}
    args = ["provider-keys", "set", "openai"]
    if given == "option":
        done = _run(*args, "--key", PROVIDER_KEY, env=env)
    elif given == "env":
        done = _run(*args, env={**env, "OMNIGATE_PROVIDER_KEY": PROVIDER_KEY})
    else:
        done = _run(*args, env=env, input=PROVIDER_KEY + "\n")
    _assert_masked(done, server)
    assert json.loads(server.requests[-1].body)["api_key"] == PROVIDER_KEY  # it was sent, and echoed back
    assert '"api_key": "[secure]"' in done.stderr or '"api_key":"[secure]"' in done.stderr
