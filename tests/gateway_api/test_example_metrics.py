"""`examples/metrics.py` runs as users run it: against the local gateway by default, or a configured one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "metrics.py"


def _run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OMNIGATE_")}
    return subprocess.run(
        [sys.executable, str(EXAMPLE)], env={**clean, **env}, capture_output=True, text=True, timeout=60, check=False
    )


def test_runs_against_the_local_gateway_when_unconfigured() -> None:
    done = _run({})
    assert done.returncode == 0, done.stderr
    assert "3 requests" in done.stdout
    assert "gpt-4o-mini-2024-07-18" in done.stdout


def test_runs_against_a_configured_gateway(local_gateway: Any) -> None:
    done = _run({"OMNIGATE_BASE_URL": local_gateway.base_url, "OMNIGATE_API_KEY": local_gateway.api_key})
    assert done.returncode == 0, done.stderr
    assert "0 requests" in done.stdout
    assert [call.path for call in local_gateway.calls] == ["/v1/metrics"]
