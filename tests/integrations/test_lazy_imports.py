"""The integrations import their framework only when a helper is called; the package root imports none."""

from __future__ import annotations

import subprocess
import sys

import pytest

import omnigate_openai as og
from omnigate_openai.integrations._clients import as_async, as_sync

FRAMEWORK_MODULES = (
    "langchain_openai",
    "agents",
    "pydantic_ai",
    "instructor",
    "llama_index",
    "wrapt",
    "haystack",
    "smolagents",
    "autogen_ext",
    "autogen_core",
    "mirascope",
    "semantic_kernel",
    "crewai",
    "dspy",
    "litellm",
)
INTEGRATIONS = (
    "langchain",
    "openai_agents",
    "pydantic_ai",
    "instructor",
    "llama_index",
    "patch",
    "haystack",
    "smolagents",
    "autogen",
    "mirascope",
    "semantic_kernel",
    "crewai",
    "dspy",
    "litellm",
)


@pytest.mark.parametrize("module", ["omnigate_openai", *(f"omnigate_openai.integrations.{m}" for m in INTEGRATIONS)])
def test_importing_loads_no_framework(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {FRAMEWORK_MODULES!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_a_twin_keeps_the_gateway_settings_and_options() -> None:
    sync = og.OpenAI(
        base_url="http://127.0.0.1:9/v1",
        api_key="llmg_twin-key",
        user_id="someone",
        timeout=7.0,
        max_retries=5,
        default_headers={"x-trace": "1"},
    )
    twin = as_async(sync)
    assert isinstance(twin, og.AsyncOpenAI)
    assert (twin.base_url, twin.user_id, twin.timeout, twin.max_retries) == (sync.base_url, "someone", 7.0, 5)
    assert twin.auth_headers == {"x-api-key": "llmg_twin-key"}
    assert twin.default_headers["x-trace"] == "1"
    assert as_sync(twin).auth_headers == sync.auth_headers
    assert as_async(twin) is twin
