"""Existing OpenAI code runs unchanged against the gateway with only the import line changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from omnigate_openai.testing import LocalGateway

SCRIPT = Path(__file__).parent / "scripts" / "openai_usage.py"
REPLY = "Hello there! How can I help?"


def test_an_openai_script_runs_with_only_the_import_changed(tmp_path: Path, local_gateway: LocalGateway) -> None:
    original = SCRIPT.read_text()
    ported = original.replace(
        "from openai import AsyncOpenAI, OpenAI", "from omnigate_openai import AsyncOpenAI, OpenAI"
    )
    assert ported.count("\n") == original.count("\n")
    assert ported != original
    script = tmp_path / "ported.py"
    script.write_text(ported)
    env = {
        **os.environ,
        "OMNIGATE_BASE_URL": local_gateway.root_url,
        "OMNIGATE_API_KEY": local_gateway.api_key,
        "OMNIGATE_USER_ID": "drop-in-test",
        "OPENAI_API_KEY": "sk-must-never-be-used",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
    }
    result = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert lines["create"] == f"{REPLY} 23"
    for name in (
        "stream",
        "streaming response",
        "parse",
        "stream helper",
        "with_options",
        "async create",
        "async stream",
    ):
        assert lines[name] == REPLY, name
    assert lines["raw"] == "POST 200 stop"
    assert lines["copy"] == "gpt-4o-mini"
    assert lines["models"] == "28"
    chat_calls = local_gateway.calls.to("/v1/chat/completions")
    assert chat_calls
    assert all(call.headers["x-api-key"] == local_gateway.api_key for call in chat_calls)
    assert all(call.headers["x-user-id"] == "drop-in-test" for call in chat_calls)
    assert all("authorization" not in call.headers for call in chat_calls)
