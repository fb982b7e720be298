"""The guard tests' `driver` (sync or async, on the plugin's `local_gateway`) and one Redis server, emptied per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from omnigate_openai.testing import LocalGateway

from ._drive import MODES, Driver
from ._redis_server import running_redis


@pytest.fixture(scope="session")
def _redis_server() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture
def redis_url(_redis_server: str) -> str:
    """The session's Redis, emptied for this test."""
    import redis

    with redis.Redis.from_url(_redis_server) as connection:
        connection.flushall()
    return _redis_server


@pytest.fixture(params=MODES)
def driver(request: pytest.FixtureRequest, local_gateway: LocalGateway) -> Driver:
    """Each test that takes it runs twice: with the sync client and with the async one."""
    return Driver(request.param, local_gateway, {})
