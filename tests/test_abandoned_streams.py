"""Streams left after their first chunk, without `with` or `close()`, 5,000 times, sync and async.

Under openai 2.x such a loop deadlocks the process after a few streams (the plain SDK too): each
abandoned stream is freed by a later garbage collection that may run while httpx's pool lock is held.
The package's streams hold themselves only weakly, so each is closed the moment it is dropped. The
loop runs in a child process, so that a deadlock fails this test by its timeout instead of hanging
the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from _fakes import fake_key
from _hostile import hostile_server

SCRIPT = Path(__file__).parent / "scripts" / "early_breaks.py"
BREAKS = 5_000
LIMIT = 400.0
"""Seconds for both loops together: about 30 on an idle machine, 220 on a loaded one; a deadlock never
finishes (its progress lines stop: the failure shows them)."""


@pytest.mark.timeout(LIMIT + 20)
def test_five_thousand_streams_left_early_without_with() -> None:
    with hostile_server() as (server, _canary):
        env = dict(os.environ)  # the suite's own PYTHONPATH, so the child imports the same package
        args = [
            sys.executable,
            str(SCRIPT),
            f"{server.url}/ok",
            fake_key("llmg_", "breaks-0123456789abcdef"),
            str(BREAKS),
        ]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=LIMIT, env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"the loop hung (a deadlock?): in {LIMIT} s it got to {exc.stdout!r}")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[-1] == f"async {BREAKS}"
    assert f"sync {BREAKS}" in lines
