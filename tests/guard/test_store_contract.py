"""What both stores promise, on a real Redis server and in memory: scripts touch only their KEYS,
a reset is not undone by the calls that were in flight when it ran, and settlements queued off the
caller's path land (flush, the flusher thread) without ever letting a limit be overshot meanwhile."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis

import omnigate_openai as og
from omnigate_openai.guard._limits import Amounts, Limits, Line
from omnigate_openai.guard._redis import RedisStore
from omnigate_openai.guard._store import MemoryStore, Store
from omnigate_openai.testing import LocalGateway

from ._drive import QUIET

PARENT = Line.of("tree|run", Limits(max_usd=1.0))
CHILD = Line.of("tree/sub|run", Limits(max_usd=1.0))
WORST, REAL = Amounts(500_000, 100, 1, 0), Amounts(100_000, 40, 1, 0)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    found = RedisStore(request.getfixturevalue("redis_url"), namespace="tree")
    yield found
    found.close()


def _monitored(url: str, work: object) -> list[list[str]]:
    """Every command Redis ran while `work()` ran, as argument lists, scripts' own commands included."""
    marker = "end-of-monitored-work"
    with redis.Redis.from_url(url) as client, redis.Redis.from_url(url) as other, client.monitor() as monitor:
        work()  # type: ignore[operator]
        other.echo(marker)
        seen: list[list[str]] = []
        while True:
            entry = monitor.next_command()
            if marker in entry["command"]:
                return seen
            seen.append(entry["command"].split(" "))


def test_every_key_a_script_touches_is_passed_in_keys(redis_url: str) -> None:
    store = RedisStore(redis_url, namespace="contract")
    line = Line.of("contract|run", Limits(max_usd=1.0))

    def work() -> None:
        store.reserve("orphan", [line], WORST, ttl=0.05)  # expires: a later script charges it
        time.sleep(0.1)
        store.reserve("a", [line], WORST, ttl=5)
        store.settle("a", [line.scope], WORST, REAL)
        store.reserve("b", [line], WORST, ttl=5)
        store.settle_soon("b", [line.scope], WORST, REAL)
        store.usage([line.scope])
        store.reset(["contract|"])

    commands = _monitored(redis_url, work)
    store.close()
    declared: set[str] = set()
    scripts = touched = 0
    for command in commands:
        name = command[0].strip('"').upper()
        arguments = [argument.strip('"') for argument in command[1:]]
        if name == "EVALSHA":
            scripts += 1
            declared = set(arguments[2 : 2 + int(arguments[1])])
            assert all("{contract}" in key for key in declared)  # one hash tag: one Cluster slot
        elif name not in ("TIME", "SCRIPT", "ECHO", "HELLO", "CLIENT", "SELECT", "PING"):
            touched += 1
            assert arguments[0] in declared, f"{name} touched {arguments[0]}, not among KEYS {sorted(declared)}"
    assert scripts >= 6
    assert touched > 20


def test_a_settlement_of_a_call_reserved_before_a_reset_is_dropped(store: Store) -> None:
    assert store.reserve("before", [CHILD, PARENT], WORST, ttl=5) is None
    store.reset(["tree/sub|", "tree/sub/"])  # the child run is reset; its parent is not
    assert store.reserve("after", [CHILD], Amounts(400_000, 10, 1, 0), ttl=5) is None
    store.settle("before", [CHILD.scope, PARENT.scope], WORST, REAL)
    child, parent = store.usage([CHILD.scope, PARENT.scope])
    assert child.spent == Amounts()  # not charged to the fresh counters...
    assert child.reserved == Amounts(400_000, 10, 1, 0)  # ...nor released from a later call's reservation
    assert (parent.spent, parent.reserved) == (REAL, Amounts())  # the parent, not reset, still counts it


@pytest.mark.parametrize("looked_first", [True, False], ids=["usage-expires", "settle-expires"])
def test_an_expired_reservation_is_charged_and_its_late_settle_adds_only_the_excess(
    store: Store, looked_first: bool
) -> None:
    assert store.reserve("cheap", [CHILD, PARENT], WORST, ttl=0.05) is None
    assert store.reserve("dear", [CHILD, PARENT], WORST, ttl=0.05) is None
    time.sleep(0.1)
    if looked_first:  # else the first late settle is what finds the expired reservations
        for used in store.usage([CHILD.scope, PARENT.scope]):
            assert (used.spent, used.reserved) == (Amounts(1_000_000, 200, 2, 0), Amounts())  # the worst case
    store.settle("cheap", [CHILD.scope, PARENT.scope], WORST, REAL)  # less than charged: nothing comes back
    store.settle("dear", [CHILD.scope, PARENT.scope], WORST, Amounts(700_000, 100, 1, 2))  # more: the excess
    for used in store.usage([CHILD.scope, PARENT.scope]):
        assert (used.spent, used.reserved) == (Amounts(1_200_000, 200, 2, 2), Amounts())


def test_a_settle_releases_the_reservation_in_every_scope(store: Store) -> None:
    assert store.reserve("first", [CHILD, PARENT], WORST, ttl=5) is None
    assert store.reserve("second", [CHILD, PARENT], WORST, ttl=5) is None
    store.settle("first", [CHILD.scope, PARENT.scope], WORST, REAL)
    for used in store.usage([CHILD.scope, PARENT.scope]):
        assert (used.spent, used.reserved) == (REAL, WORST)
    refusal = store.reserve("third", [CHILD, PARENT], Amounts(500_000, 0, 1, 0), ttl=5)
    assert refusal is not None
    assert (refusal.scope, refusal.metric, refusal.current) == (CHILD.scope, 0, 600_000)


def test_an_expiry_after_a_reset_is_dropped_too(store: Store) -> None:
    assert store.reserve("before", [PARENT], WORST, ttl=0.05) is None
    store.reset(["tree|", "tree/"])
    time.sleep(0.1)
    assert store.reserve("after", [PARENT], Amounts(0, 0, 1, 0), ttl=5) is None
    used = store.usage([PARENT.scope])[0]
    assert (used.spent, used.reserved) == (Amounts(), Amounts(0, 0, 1, 0))
    store.settle("before", [PARENT.scope], WORST, Amounts(900_000, 100, 1, 0))  # late, and more than reserved
    assert store.usage([PARENT.scope])[0].spent == Amounts()


@pytest.mark.parametrize("where", ["memory", "redis"])
def test_a_stream_in_flight_at_reset_is_not_counted_afterwards(
    where: str, local_gateway: LocalGateway, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url") if where == "redis" else None
    guard = og.Guard(limits=og.Limits(max_usd=1.0), name="resetting", store=url, loops=QUIET)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        stream = client.with_guard(guard, agent_id="a").chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], stream=True, max_tokens=10
        )
        assert guard.metrics().reserved_usd > 0
        guard.reset()
        for _ in stream:
            pass
    after = guard.metrics()
    assert (after.calls, after.cost_usd, after.reserved_usd) == (0, 0.0, 0.0)
    assert guard.metrics(agent_id="a").calls == 0
    # The history is a log of what this process saw: the call ended after the reset, so it is listed.
    assert [(record.request_summary, record.error) for record in guard.history()] == [("hi", None)]


def test_a_queued_settlement_holds_the_worst_case_until_it_lands(redis_url: str) -> None:
    store = RedisStore(redis_url, namespace="queued", linger=30.0)  # the flusher waits: only a script carries it
    line = Line.of("queued|run", Limits(max_usd=1.0))
    # Another process's view: its reservations carry only what it queued. (Its `usage()` would also send what
    # this process's other stores queued: `test_usage_includes_what_another_store_of_this_process_has_queued`.)
    observer = RedisStore(redis_url, namespace="queued")
    assert store.reserve("a", [line], Amounts(600_000, 10, 1, 0), ttl=5) is None
    store.settle_soon("a", [line.scope], Amounts(600_000, 10, 1, 0), Amounts(1_000, 5, 1, 0))
    refusal = observer.reserve("b", [line], Amounts(500_000, 10, 1, 0), ttl=5)  # not landed: the worst case held
    assert refusal is not None
    assert refusal.current == 600_000  # another process can't overshoot meanwhile
    assert store.reserve("c", [line], Amounts(500_000, 10, 1, 0), ttl=5) is None  # carried it, then fits
    used = observer.usage([line.scope])[0]
    assert (used.spent, used.reserved) == (Amounts(1_000, 5, 1, 0), Amounts(500_000, 10, 1, 0))
    store.close()
    observer.close()


def test_the_flusher_lands_a_settlement_when_no_call_follows(redis_url: str) -> None:
    store = RedisStore(redis_url, namespace="idle", linger=0.01)
    observer = RedisStore(redis_url, namespace="idle")
    line = Line.of("idle|run", Limits(max_calls=10))
    assert store.reserve("a", [line], Amounts(0, 0, 1, 0), ttl=5) is None
    store.settle_soon("a", [line.scope], Amounts(0, 0, 1, 0), Amounts(0, 7, 1, 0))
    deadline = time.monotonic() + 5
    while observer.usage([line.scope])[0].spent != Amounts(0, 7, 1, 0):
        assert time.monotonic() < deadline, "the flusher never sent the settlement"
        time.sleep(0.01)
    observer.close()
    store.close()
