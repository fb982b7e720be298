"""A gateway answer with missing or odd fields (which the client keeps as sent) is one error line and status 1 in
a table view, not a traceback; `--json` still prints it as it came; and an error stays one line in a pipe. Run as
a real process, output not a tty."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from _fakes import fake_key
from _hostile import hostile_server

KEY = fake_key("llmg_", "incomplete-answers-0123456789")
TIMEOUT = 30


def _run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("OMNIGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "omnigate_openai.cli", "--base-url", url, "--api-key", KEY, *args],
        env={**clean, "COLUMNS": "400"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["metrics"], "MetricsResponse: `scope`: Input should be a valid string (got None)"),
        (["keys", "create", "ci"], "CreatedApiKey: `id`: Input should be a valid string (got None)"),
    ],
)
def test_an_incomplete_answer_is_one_error_line(command: list[str], expected: str) -> None:
    with hostile_server() as (server, _):
        done = _run(f"{server.url}/empty_object_200/v1", *command)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (f"error: The gateway's answer is not a complete {expected}\n")


def test_json_prints_an_incomplete_answer_as_it_came() -> None:
    with hostile_server() as (server, _):
        done = _run(f"{server.url}/empty_object_200/v1", "metrics", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"] is None


def test_an_error_is_one_line_on_stderr_in_a_pipe_of_default_width() -> None:
    """Without a terminal (and without COLUMNS) the console is 80 wide; an error line is still not folded."""
    url = "http://" + "gateway-" * 12 + "example.invalid/v1"
    clean = {name: value for name, value in os.environ.items() if name != "COLUMNS" and not name.startswith("OMNIGATE")}
    done = subprocess.run(
        [sys.executable, "-m", "omnigate_openai.cli", "--base-url", url, "models"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: Missing gateway key: pass `--api-key` or set `OMNIGATE_API_KEY`.")


def test_doctor_reports_odd_probe_answers_as_failed_checks() -> None:
    """A Date of unknown zone is GMT (HTTP dates are); a version or `/me` answer missing fields fails its check."""
    with hostile_server() as (server, _):
        done = _run(f"{server.url}/odd_probes_200/v1", "doctor")
    assert done.returncode == 1
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[2].startswith("✓ clock: the gateway's clock differs from this machine's by ")
    assert lines[3:] == [
        "✗ version: The gateway's answer is not a complete Version: `version`: Input should be a valid string "
        "(got None)",
        "✗ gateway key: The gateway's answer is not a complete Me: `project_id`: Input should be a valid string (got "
        "None)",
        "2 checks failed.",
    ]
