"""Run the user's type checker on a snippet that imports this checkout: what mypy says of our public names."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import omnigate_openai

_CONFIG = """
[mypy]
follow_imports = silent
[mypy-openai.*,pydantic.*,pydantic_core.*,httpx.*,httpx2.*,typing_extensions,anyio.*,redis.*]
follow_imports = skip
"""
"""Only our own modules are read (in seconds): the libraries' types are not what is checked here."""


def mypy_errors(tmp_path: Path, user_code: str) -> list[str]:
    """The errors mypy reports in `user_code`, one line each; the whole output when it reports none."""
    (tmp_path / "mypy.ini").write_text(_CONFIG)
    (tmp_path / "user.py").write_text(user_code)
    source = str(Path(omnigate_openai.__file__).parents[1])  # this checkout's, not an installed copy
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", os.devnull, "user.py"],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": source},
        capture_output=True,
        text=True,
        timeout=180,
    )
    errors = [line for line in done.stdout.splitlines() if line.startswith("user.py")]
    return errors or [done.stdout + done.stderr]
