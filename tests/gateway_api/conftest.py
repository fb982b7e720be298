"""Fixtures of the gateway-API tests: `mode` (sync, async), `live` (local gateway), `replay` (cassettes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ._support import MODES, REPLAY_ADMIN_KEY, REPLAY_BASE_URL, REPLAY_KEY, Driver, driver, replay_vcr


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def replay(mode: str) -> Iterator[Callable[..., Any]]:
    """`with replay("metrics_default") as (gw, cassette):` a client pointed at the recorded server."""
    replayer = replay_vcr()
    opened: list[Driver] = []

    @contextmanager
    def use(name: str, **client_options: Any) -> Iterator[tuple[Driver, Any]]:
        options = {"base_url": REPLAY_BASE_URL, "api_key": REPLAY_KEY, "admin_key": REPLAY_ADMIN_KEY}
        made = Driver(mode, **{**options, **client_options})
        opened.append(made)
        with replayer.use_cassette(f"{name}.yaml") as cassette:
            yield made, cassette

    yield use
    for made in opened:
        made.close()


@pytest.fixture
def live(mode: str, local_gateway: Any) -> Iterator[Driver]:
    """A client of the fresh local gateway's seeded project, with the operator key too."""
    with driver(
        mode, base_url=local_gateway.base_url, api_key=local_gateway.api_key, admin_key=local_gateway.admin_key
    ) as made:
        yield made
