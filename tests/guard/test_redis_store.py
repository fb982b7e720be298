"""The Redis store against a real Redis server on loopback: shared limits, expiry, fail closed."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from decimal import Decimal
from typing import Any

import pytest

import omnigate_openai as og
from _processes import free_port
from omnigate_openai.guard._limits import Amounts, Limits, Line
from omnigate_openai.guard._redis import RedisStore
from omnigate_openai.testing import LocalGateway

from ._drive import QUIET, Driver, ask, calls_until_refused


def test_two_guards_of_one_name_share_a_budget(driver: Driver, local_gateway: LocalGateway, redis_url: str) -> None:
    first = og.Guard(limits=og.Limits(max_usd=0.00005), name="shared", store=redis_url, loops=QUIET)
    second = og.Guard(limits=og.Limits(max_usd=0.00005), name="shared", store=redis_url, loops=QUIET)
    answered, refused = calls_until_refused(
        lambda index: ask(driver, first if index % 2 else second, f"question {index}", max_tokens=20)
    )
    assert refused.scope == "shared|run"
    assert answered == len(local_gateway.calls.to("/v1/chat/completions"))
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        billed = Decimal(str(client.gateway.metrics(range="1h").totals.cost_usd))
    assert Decimal(str(first.metrics().cost_usd)) == billed <= Decimal("0.00005")
    assert second.metrics().calls == answered
    assert first.metrics().reserved_usd == 0.0
    first.reset()
    assert second.metrics().calls == 0


def test_a_stream_on_redis_settles(driver: Driver, redis_url: str) -> None:
    guard = og.Guard(limits=og.Limits(max_usd=1.0), store=redis_url, loops=QUIET)
    pinned = "gpt-4o-mini-2024-07-18"  # a stream of an alias has no knowable cost: it would settle its reservation
    ask(driver, guard, "stream", model=pinned, stream=True, stream_options={"include_usage": True})
    assert guard.history()[-1].cost_source == "gateway"
    assert guard.metrics().cost_usd == guard.history()[-1].cost_usd
    assert guard.metrics().reserved_usd == 0.0


class _SlowFlusher:
    """The store's pipe, slowed for every thread but the test's: a flusher thread preempted between taking the
    queued settlements and sending them (as on a loaded machine)."""

    def __init__(self, pipe: Any) -> None:
        self._pipe, self._caller = pipe, threading.get_ident()

    def call(self, command: bytes) -> Any:
        if threading.get_ident() != self._caller:
            time.sleep(0.2)
        return self._pipe.call(command)

    def close(self) -> None:
        self._pipe.close()


def test_usage_waits_for_settlements_the_flusher_is_sending(redis_url: str) -> None:
    """`metrics()` once read the totals while the flusher held the last settlement on its way: the call was
    still reserved and its cost missing (two suites saw it under load)."""
    store = RedisStore(redis_url, namespace="in-flight", linger=0.0)
    store._pipe = _SlowFlusher(store._pipe)  # type: ignore[assignment]
    line = Line.of("in-flight|run", Limits(max_usd=1.0))
    assert store.reserve("call", [line], Amounts(300, 100, 1, 0), ttl=5) is None
    store.settle_soon("call", [line.scope], Amounts(300, 100, 1, 0), Amounts(6, 17, 1, 0))
    deadline = time.monotonic() + 5
    while store._queue and time.monotonic() < deadline:  # the flusher takes the settlement
        time.sleep(0.001)
    assert store._queue == []
    used = store.usage([line.scope])[0]
    assert (used.spent, used.reserved) == (Amounts(6, 17, 1, 0), Amounts())
    store.close()


def test_an_orphaned_reservation_expires_and_is_charged(redis_url: str) -> None:
    store = RedisStore(redis_url, namespace="orphans")
    line = Line.of("orphans|run", Limits(max_usd=1.0))
    assert store.reserve("crashed", [line], Amounts(300_000, 100, 1, 0), ttl=0.2) is None
    assert store.usage([line.scope])[0].reserved == Amounts(300_000, 100, 1, 0)
    refusal = store.reserve("next", [line], Amounts(800_000, 0, 1, 0), ttl=5)
    assert refusal is not None
    assert (refusal.metric, refusal.current) == (0, 300_000)
    time.sleep(0.3)
    used = store.usage([line.scope])[0]
    assert (used.spent, used.reserved) == (Amounts(300_000, 100, 1, 0), Amounts())  # charged at its worst case
    store.settle("crashed", [line.scope], Amounts(300_000, 100, 1, 0), Amounts(2_000, 40, 1, 0))  # late: no double
    assert store.usage([line.scope])[0].spent == Amounts(300_000, 100, 1, 0)
    store.close()


def test_the_async_store_reserves_and_settles(redis_url: str) -> None:
    store = RedisStore(redis_url, namespace="async")
    line = Line.of("async|run", Limits(max_calls=1))

    async def run() -> tuple[object, object]:
        first = await store.areserve("a", [line], Amounts(0, 0, 1, 0), ttl=5)
        second = await store.areserve("b", [line], Amounts(0, 0, 1, 0), ttl=5)
        await store.asettle("a", [line.scope], Amounts(0, 0, 1, 0), Amounts(0, 0, 1, 0))
        return first, second

    first, second = asyncio.run(run())
    assert first is None
    assert second is not None
    assert second.metric == 2
    assert store.usage([line.scope])[0].spent.calls == 1
    store.close()


def test_an_unreachable_redis_fails_closed_or_open(driver: Driver, local_gateway: LocalGateway) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    closed = og.Guard(store=url, loops=QUIET)
    with pytest.raises(og.GuardStoreError, match="Redis store is unreachable") as caught:
        ask(driver, closed, "hi")
    assert "127.0.0.1" not in repr(closed.store)
    assert isinstance(caught.value, og.GatewayError)
    assert local_gateway.calls.to("/v1/chat/completions") == []
    opened = og.Guard(store=url, loops=QUIET, fail_closed=False)
    assert ask(driver, opened, "hi").text
    assert opened.history()[-1].error is None


def test_a_redis_store_without_the_redis_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # what `import redis` meets where the extra is missing
    with pytest.raises(ImportError, match=r"needs the 'redis' extra: pip install '\.\[redis\]' in a clone"):
        og.Guard(limits=og.Limits(max_usd=1.0), store="redis://127.0.0.1:1/0")
