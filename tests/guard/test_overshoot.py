"""Overshoot: 4 processes x 50 concurrent calls against one Redis-backed USD budget never exceed it.

Check-then-record limits let every concurrent call pass the check before any is recorded; a guard
reserves each call's worst case first, so the sum can't pass the budget. One worker is killed
(SIGKILL) with 50 calls in flight: its reservations are orphaned, then expire after their time to
live and are charged at their worst case, so nothing leaks and nothing billed goes uncounted.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway

WORKER = str(Path(__file__).with_name("_overshoot_worker.py"))
BUDGET = 0.003
TTL = 3.0
MODEL = "gpt-4o-mini"
VICTIM_MODEL = "gpt-4o-mini-2024-07-18"  # made slow at the gateway, so its calls are in flight when it dies


def _worker(
    gateway: LocalGateway, key: str, redis_url: str, model: str, seconds: float, parties: int = 1
) -> subprocess.Popen[str]:
    arguments = [gateway.base_url, key, redis_url, str(BUDGET), str(TTL), model, "50", str(seconds), str(parties)]
    return subprocess.Popen(
        [sys.executable, WORKER, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )


@pytest.fixture
def slow_victim_calls(local_gateway: LocalGateway) -> Iterator[None]:
    """The victim's calls wait at the gateway, so they are in flight when it dies (faults it never hit: dropped)."""
    yield
    local_gateway.faults.reset()


@pytest.mark.usefixtures("slow_victim_calls")
@pytest.mark.timeout(300)  # five interpreters start and make hundreds of calls: minutes on a loaded machine
def test_four_processes_never_overshoot_a_shared_budget(local_gateway: LocalGateway, redis_url: str) -> None:
    observer = og.Guard(limits=og.Limits(max_usd=BUDGET), name="overshoot", store=redis_url)
    key = local_gateway.new_project(rate_limit_per_min=100_000).api_key  # the default 60 a minute would 429
    victim = _worker(local_gateway, key, redis_url, VICTIM_MODEL, 30.0)
    try:
        deadline = time.monotonic() + 30
        while observer.metrics().reserved_usd < 0.001:  # its calls are reserved and in flight
            assert victim.poll() is None, victim.stderr.read() if victim.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
    orphaned = observer.metrics().reserved_usd
    assert orphaned > 0  # a call may settle between the last look and the kill: some, not all, are orphaned

    workers = [_worker(local_gateway, key, redis_url, MODEL, 90.0, parties=3) for _ in range(3)]  # start together
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    # They competed: each was refused, and the budget was spent by more than one (under load a worker's
    # first call can come after the others spent it all, so not necessarily by every one).
    assert all(result["refused"] > 0 for result in results), results
    assert sum(result["answered"] > 0 for result in results) >= 2, results

    time.sleep(TTL + 1.5)  # the victim's reservations expire; its slow calls finish at the gateway
    final = observer.metrics()
    assert final.reserved_usd == 0.0  # nothing leaked
    with og.OpenAI(base_url=local_gateway.base_url, api_key=key) as client:
        billed = Decimal(str(client.gateway.metrics(range="1h").totals.cost_usd))
    charged = Decimal(str(final.cost_usd))
    assert billed <= charged <= Decimal(str(BUDGET))  # never overshot; the orphans counted at their worst case
    answered = sum(result["answered"] for result in results)
    refused = sum(result["refused"] for result in results)
    print(f"budget ${BUDGET}: billed ${billed}, charged ${charged} (orphans ${orphaned})")
    print(f"{answered} calls answered, {refused} refused")
    assert charged >= Decimal(str(orphaned))
    assert answered * Decimal("0.000006") <= billed  # each answered call was billed
