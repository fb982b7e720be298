"""Fixtures for the local gateway's own tests (`local_gateway` is the plugin's, from its entry point)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from omnigate_openai.testing import LocalGateway

from ._replay import ReplayClock

FIDELITY_RESULTS: dict[str, bool] = {}


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
