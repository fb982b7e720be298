"""The output's width is the terminal's (or `COLUMNS`) when the command runs, as with one process per command, also
in a process that imported the command line once and runs many commands (an app embedding it, a test worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

TIMEOUT = 60  # a fresh interpreter on a loaded machine; only a hang comes near it

# Imported while COLUMNS is 70, then two commands in the same process at other widths.
_EMBEDDED = """
import json, sys
from typer.testing import CliRunner
from omnigate_openai.cli import app
runner = CliRunner()
outputs = [runner.invoke(app, ["models"], env={"COLUMNS": columns}).output for columns in sys.argv[1:]]
print(json.dumps(outputs))
"""

ROW = "│ claude-3-5-haiku-latest    │ anthropic │           $0.0008 │             $0.004 │"


def test_each_command_takes_the_width_of_its_own_moment(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _EMBEDDED, "160", "50"],
        env={**os.environ, **env, "COLUMNS": "70"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    wide, narrow = json.loads(done.stdout)
    assert ROW in wide.splitlines()  # the table at its natural width: nothing folded
    assert max(len(line) for line in narrow.splitlines()) == 50
    assert ROW not in narrow
