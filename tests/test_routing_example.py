"""`examples/routing_and_cost.py` runs as users run it: a local gateway by default, or a configured one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from omnigate_openai.testing import LocalGateway

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "routing_and_cost.py"

pytestmark = pytest.mark.timeout(200)


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OMNIGATE_", "OPENAI_"))}
    # An address nothing listens on: an example that bypassed the gateway would fail, not hang.
    clean.update(OPENAI_API_KEY="sk-openai-dummy-key", OPENAI_BASE_URL="http://127.0.0.1:9/v1", **env)
    return subprocess.run(
        [sys.executable, str(EXAMPLE)], env=clean, capture_output=True, text=True, timeout=150, check=False
    )


def test_runs_against_the_local_gateway_when_unconfigured() -> None:
    done = _run()
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "route mistral-large: provider=None, key configured=False -> No provider registered" in out
    assert "fallback: provider=anthropic model=claude-3-5-haiku-20241022 cached=False fallback_used=True" in out
    assert "cache (first): provider=openai model=gpt-4o-mini-2024-07-18 cached=False" in out
    assert (
        "cache (again): provider=openai model=gpt-4o-mini-2024-07-18 cached=True fallback_used=False cost=$0.000000"
        in out
    )
    assert "compat: provider=openai model=gpt-4o-mini-2024-07-18 cached=None fallback_used=False cost=$0.000007" in out
    assert "spent by these calls: $0.000014\nthe gateway's own accounting (/v1/metrics): $0.000014" in out
    assert "native stream: 'Hello there! How can I help?'" in out


def test_runs_against_a_configured_gateway(local_gateway: LocalGateway) -> None:
    done = _run(OMNIGATE_BASE_URL=local_gateway.base_url, OMNIGATE_API_KEY=local_gateway.api_key)
    assert done.returncode == 0, done.stderr
    assert f"Using the gateway at {local_gateway.base_url}" in done.stdout
    assert "fallback: provider=openai" in done.stdout  # nothing failed, so no fallback was needed
    assert "/v1/chat" in [call.path for call in local_gateway.calls]


def test_an_unreachable_gateway_fails_fast() -> None:
    done = _run(OMNIGATE_BASE_URL="http://127.0.0.1:9", OMNIGATE_API_KEY="llmg_unreachable")
    assert done.returncode != 0
    assert "ConnectionError" in done.stderr
