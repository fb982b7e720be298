"""One local gateway for a whole test directory, reset before each test instead of restarted.

The plugin's `local_gateway` starts a server per test; directories with many short tests import
these two fixtures into their conftest to start one per session instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["_gateway_server", "local_gateway"]


@pytest.fixture(scope="session")
def _gateway_server() -> Iterator[Any]:
    """One loopback server for the session; each test gets it reset (see `local_gateway`)."""
    from omnigate_openai.testing import LocalGateway

    with LocalGateway() as gateway:
        yield gateway


@pytest.fixture
def local_gateway(_gateway_server: Any) -> Any:
    """A fresh local gateway: orgs, keys, usage and the call log forgotten, a new project seeded."""
    _gateway_server.reset()
    return _gateway_server
