"""One local gateway and one Redis server for the guard tests, each reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import _session_gateway

from ._redis_server import running_redis

# One gateway for the directory, reset per test (see `_session_gateway`).
_gateway_server = _session_gateway._gateway_server
local_gateway = _session_gateway.local_gateway


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
