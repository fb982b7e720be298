"""One Redis server for the guard tests, emptied before every test (`local_gateway` is the plugin's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
