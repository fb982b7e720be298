"""Every script in `examples/` runs as a user runs it, against a local gateway it starts itself.

An example that needs a framework is excluded under a major only through `_frameworks.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from ._frameworks import ENV, FRAMEWORKS, runs_here

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Each example imports the SDK and maybe a framework in a fresh interpreter: seconds each, more on a busy machine.
pytestmark = pytest.mark.timeout(400)

NEEDS = {
    "with_langchain.py": "langchain",
    "with_openai_agents.py": "openai-agents",
    "with_pydantic_ai.py": "pydantic-ai",
}
"""The framework each framework example imports."""

EXPECT = {
    "quickstart.py": ["Completion: " + DEFAULT_REPLY, "Stream:    " + DEFAULT_REPLY, "Typed error: AuthError (401)"],
    "streaming.py": ["usage: ", "provider: openai, cost: ", "Async: " + DEFAULT_REPLY],
    "errors.py": ["BudgetExceededError", "RateLimitError (also openai.RateLimitError)", "upstream_status=401"],
    "with_langchain.py": ["invoke: " + DEFAULT_REPLY, "ainvoke: " + DEFAULT_REPLY, "'total_tokens'"],
    "with_openai_agents.py": ["Agent says: " + DEFAULT_REPLY],
    "with_pydantic_ai.py": ["run:    Greeting(greeting='Bonjour !', language='French')"],
    "agent_guard.py": [
        "Budget stop after ",
        "max_usd of example|run",
        "0.0 still reserved",
        "Loop stopped: same_request",
    ],
    "testing_with_cassettes.py": ["gateway key in it: False", "Replayed with no gateway running: "],
}
"""What each of our examples must print; the other helpers' examples (metrics, routing) need only succeed."""

ALL = sorted(path.name for path in EXAMPLES.glob("*.py") if not path.name.startswith("_"))
EXCLUDED = sorted(name for name, framework in NEEDS.items() if not runs_here(framework))


def run(example: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OMNIGATE_", "OPENAI_"))}
    # A dummy OpenAI key and an address nothing listens on: an example that bypassed the gateway would fail.
    clean.update(OPENAI_API_KEY="sk-openai-dummy-key", OPENAI_BASE_URL="http://127.0.0.1:9/v1", **env)
    return subprocess.run(
        [sys.executable, str(EXAMPLES / example)], env=clean, capture_output=True, text=True, timeout=180, check=False
    )


def test_the_exclusions_are_the_tables() -> None:
    assert set(EXPECT) <= set(ALL), "an example listed here is missing from examples/"
    assert set(NEEDS) <= set(ALL)
    assert {"metrics.py", "quickstart.py"} <= set(ALL)
    envs = {framework.name: framework.envs for framework in FRAMEWORKS}
    assert set(EXCLUDED) == {name for name, needed in NEEDS.items() if ENV not in envs[needed]}
    assert EXCLUDED == []  # every framework example runs under openai 2 and 3 today


@pytest.fixture(scope="module")
def runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every example, a few at a time: most of each run is importing the SDK and the frameworks."""
    names = [name for name in ALL if name not in EXCLUDED]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(names, pool.map(run, names, timeout=300), strict=True))


@pytest.mark.parametrize("example", [name for name in ALL if name not in EXCLUDED])
def test_example_runs_against_a_local_gateway(example: str, runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    done = runs[example]
    assert done.returncode == 0, f"{example} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip()
    for expected in EXPECT.get(example, []):
        assert expected in done.stdout, f"{example} did not print {expected!r}:\n{done.stdout}"
    assert "Tracing request failed" not in done.stderr
    if example in EXPECT:
        assert "a local gateway at http://127.0.0.1:" in done.stdout


def test_quickstart_uses_the_configured_gateway() -> None:
    with LocalGateway() as gateway:
        done = run("quickstart.py", OMNIGATE_BASE_URL=gateway.root_url, OMNIGATE_API_KEY=gateway.api_key)
        assert done.returncode == 0, done.stderr
        assert f"Using the gateway at {gateway.root_url} (OMNIGATE_BASE_URL)" in done.stdout
        chats = gateway.calls.to("/v1/chat/completions")
        assert len(chats) == 3  # completion, stream, and the bad key's 401
        assert [c.headers.get("x-api-key") == gateway.api_key for c in chats] == [True, True, False]
        assert all(c.headers.get("x-user-id") == "examples" for c in chats)
