"""Fixtures for the local gateway's own tests.

`local_gateway` wraps the plugin's fixture so `@pytest.mark.local_gateway(...)` options apply here
before the `pytest11` entry point is registered (a `pytest_plugins` list is only allowed at the root).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from omnigate_openai.testing import LocalGateway
from omnigate_openai.testing.pytest_plugin import MARKER, gateway_options

from ._replay import ReplayClock

FIDELITY_RESULTS: dict[str, bool] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(**options): options for the local_gateway fixture (LocalGateway's).")


@pytest.fixture
def local_gateway(request: pytest.FixtureRequest) -> Iterator[LocalGateway]:
    """A fresh local gateway per test, configured by the test's `local_gateway` marker."""
    with LocalGateway(**gateway_options(request.node.get_closest_marker(MARKER))) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def replay_clock() -> ReplayClock:
    return ReplayClock()


@pytest.fixture(scope="module")
def replay_gateway(replay_clock: ReplayClock) -> Iterator[LocalGateway]:
    """One server for every cassette; `replay()` resets its state before each, like a fresh database."""
    with LocalGateway(seed_project=False, clock=replay_clock) as gateway:
        yield gateway


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIDELITY_RESULTS:
        passed = sum(FIDELITY_RESULTS.values())
        terminalreporter.write_line(
            f"reference cassette fidelity: {passed} of {len(FIDELITY_RESULTS)} cassettes match the local gateway"
        )
