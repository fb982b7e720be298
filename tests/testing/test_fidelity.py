"""Every reference cassette, replayed against the local gateway, must come back the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnigate_openai.testing import LocalGateway

from ._replay import Cassette, ReplayClock, all_cassettes, replay
from .conftest import FIDELITY_RESULTS

CASSETTES = all_cassettes()


def test_the_reference_set_is_there() -> None:
    assert len(CASSETTES) >= 100, (
        f"expected the reference cassettes in tests/reference_cassettes, found {len(CASSETTES)}"
    )


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: p.stem)
def test_cassette_replays_faithfully(replay_gateway: LocalGateway, replay_clock: ReplayClock, path: Path) -> None:
    cassette = Cassette.load(path)
    FIDELITY_RESULTS[cassette.name] = False
    problems = replay(replay_gateway, replay_clock, cassette)
    assert not problems, "\n".join(problems)
    FIDELITY_RESULTS[cassette.name] = True
