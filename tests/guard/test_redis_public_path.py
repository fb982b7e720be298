"""The Redis store on a redis-py whose connections lack the private attributes the lean path reads.

redis-py has kept `_sock` (and `_reader`/`_writer` on asyncio connections) for years, but does not
promise them. Without them the store must still work, one round trip per command, through the
connections' public `send_packed_command` / `read_response`, `NOSCRIPT` recovery included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import redis

from omnigate_openai.guard._errors import GuardStoreError
from omnigate_openai.guard._limits import Amounts, Limits, Line
from omnigate_openai.guard._redis import _STEP_AT, RedisStore

LINE = Line.of("public|run", Limits(max_usd=1.0))
WORST, REAL = Amounts(600_000, 100, 1, 0), Amounts(200_000, 40, 1, 0)


class _PublicOnly:
    """A redis-py connection seen through its public methods alone; counts the commands it sends."""

    __slots__ = ("_inner", "sent")

    def __init__(self, inner: Any) -> None:
        self._inner, self.sent = inner, 0

    def connect(self) -> Any:
        return self._inner.connect()

    def disconnect(self) -> Any:
        return self._inner.disconnect()

    def send_packed_command(self, command: bytes, check_health: bool = True) -> Any:
        self.sent += 1
        return self._inner.send_packed_command(command, check_health=check_health)

    def read_response(self) -> Any:
        return self._inner.read_response()


def _public_only(make: Callable[[], Any], made: list[_PublicOnly]) -> Callable[[], Any]:
    def build() -> _PublicOnly:
        made.append(_PublicOnly(make()))
        return made[-1]

    return build


def test_the_store_works_without_the_private_attributes(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as plain:
        plain.script_flush()  # the first command meets NOSCRIPT, as on a fresh server
    store = RedisStore(redis_url, namespace="public")
    made: list[_PublicOnly] = []
    store._pipe._make = _public_only(store._pipe._make, made)
    try:
        assert store.reserve("a", [LINE], WORST, ttl=5) is None
        refusal = store.reserve("b", [LINE], WORST, ttl=5)
        assert refusal is not None
        assert (refusal.scope, refusal.metric, refusal.current) == (LINE.scope, 0, 600_000)
        assert store.settle("a", [LINE.scope], WORST, REAL) == [REAL]
        used = store.usage([LINE.scope])[0]
        assert (used.spent, used.reserved) == (REAL, Amounts())
    finally:
        store.close()
    assert made
    assert sum(connection.sent for connection in made) >= 5  # NOSCRIPT, its retry, and the rest


def test_the_async_store_works_without_the_private_attributes(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as plain:
        plain.script_flush()
    store = RedisStore(redis_url, namespace="public-async")
    made: list[_PublicOnly] = []

    async def run() -> tuple[object, object, list[Amounts]]:
        _, pipe = store._async_client()
        pipe._make = _public_only(pipe._make, made)
        first = await store.areserve("a", [LINE], WORST, ttl=5)
        second = await store.areserve("b", [LINE], WORST, ttl=5)
        return first, second, await store.asettle("a", [LINE.scope], WORST, REAL)

    try:
        first, second, after = asyncio.run(run())
    finally:
        store.close()
    assert first is None
    assert second is not None
    assert after == [REAL]
    assert made
    assert sum(connection.sent for connection in made) >= 4


@pytest.mark.parametrize("path", ["lean", "public"])
def test_a_script_error_reads_the_same_on_either_path(redis_url: str, path: str) -> None:
    store = RedisStore(redis_url, namespace=f"broken-{path}")
    if path == "public":
        store._pipe._make = _public_only(store._pipe._make, [])
    try:
        with pytest.raises(GuardStoreError, match=r"^Redis refused the guard's script: ERR .*Error running script"):
            store._run(_STEP_AT, ["not a job"])  # the script cannot decode it
    finally:
        store.close()
