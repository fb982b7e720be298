"""The replay suite: cassettes under the repository's `cassettes/`, and no socket opened while replaying.

The plugin's fixtures come from its `pytest11` entry point.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from _socket_guard import SocketGuard, guarded

REPO = Path(__file__).resolve().parents[2]

REPLAYED: dict[str, set[str]] = {}
"""Reference cassette -> the drivers ("sync", "async") that replayed it and asserted every outcome."""


@pytest.fixture
def omnigate_cassette_dir() -> Path:
    """The shim's own cassettes live at the repository root, where `make cassettes` rewrites them."""
    return REPO / "cassettes"


@pytest.fixture(autouse=True)
def no_network(request: pytest.FixtureRequest) -> Iterator[SocketGuard]:
    """Replaying opens no socket at all; recording may reach the local gateway on loopback only."""
    recording = request.getfixturevalue("omnigate_record_mode") != "none"
    with guarded(loopback=recording, what="The test tried to reach the network while replaying") as guard:
        yield guard


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPLAYED:
        both = sum(1 for drivers in REPLAYED.values() if drivers == {"sync", "async"})
        terminalreporter.write_line(
            f"reference cassettes: {both} of 112 replayed and asserted by both the sync and the async client"
        )
