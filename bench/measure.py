"""The measurements: contenders interleaved in rounds, rotating who goes first, CPU from the process clock.

Every function returns rows `{"scenario", "contender", "sdk", "metric", "value", "unit", "n"}`;
`report.py` turns them into ratios. Client CPU is `time.process_time()` of this process (the server
runs in another), divided by the calls or chunks it paid for.
"""

from __future__ import annotations

import asyncio
import compileall
import gc
import importlib.util
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from .contenders import FLOOR, OMNIGATE, AsyncContender, SyncContender

__all__ = [
    "async_calls",
    "async_streams",
    "client_costs",
    "concurrent_streams",
    "import_times",
    "sync_calls",
    "sync_streams",
]

Row = dict[str, Any]
_T = TypeVar("_T")


def _row(scenario: str, contender: Any, metric: str, value: float, unit: str, n: int) -> Row:
    return {
        "scenario": scenario,
        "contender": contender.name,
        "sdk": contender.sdk,
        "metric": metric,
        "value": value,
        "unit": unit,
        "n": n,
    }


def _rounds(items: Sequence[_T], rounds: int) -> Iterator[list[_T]]:
    """Every contender once per round; who goes first rotates, so drift and warm caches even out."""
    for index in range(rounds):
        shift = index % len(items)
        yield [*items[shift:], *items[:shift]]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _call_rows(scenario: str, contender: Any, latencies: list[float], cpu: float) -> list[Row]:
    n = len(latencies)
    return [
        _row(scenario, contender, "cpu_per_call", cpu / n * 1e6, "µs", n),
        _row(scenario, contender, "latency_p50", statistics.median(latencies) * 1e6, "µs", n),
        _row(scenario, contender, "latency_p95", _p95(latencies) * 1e6, "µs", n),
    ]


def sync_calls(contenders: list[SyncContender], *, rounds: int, batch: int, warmup: int) -> list[Row]:
    active = [c for c in contenders if c.call is not None]
    for contender in active:
        for _ in range(warmup):
            contender.call()  # type: ignore[misc]
    latencies: dict[str, list[float]] = {c.name: [] for c in active}
    cpu = dict.fromkeys(latencies, 0.0)
    for order in _rounds(active, rounds):
        for contender in order:
            call, times = contender.call, latencies[contender.name]
            assert call is not None
            gc.collect()
            started = time.process_time()
            for _ in range(batch):
                begin = time.perf_counter()
                call()
                times.append(time.perf_counter() - begin)
            cpu[contender.name] += time.process_time() - started
    return [row for c in active for row in _call_rows("call.sync", c, latencies[c.name], cpu[c.name])]


async def async_calls(contenders: list[AsyncContender], *, rounds: int, batch: int, warmup: int) -> list[Row]:
    active = [c for c in contenders if c.call is not None]
    for contender in active:
        for _ in range(warmup):
            await contender.call()  # type: ignore[misc]
    latencies: dict[str, list[float]] = {c.name: [] for c in active}
    cpu = dict.fromkeys(latencies, 0.0)
    for order in _rounds(active, rounds):
        for contender in order:
            call, times = contender.call, latencies[contender.name]
            assert call is not None
            gc.collect()
            started = time.process_time()
            for _ in range(batch):
                begin = time.perf_counter()
                await call()
                times.append(time.perf_counter() - begin)
            cpu[contender.name] += time.process_time() - started
    return [row for c in active for row in _call_rows("call.async", c, latencies[c.name], cpu[c.name])]


class _StreamTally:
    def __init__(self) -> None:
        self.first: list[float] = []
        self.cpu = 0.0
        self.wall = 0.0
        self.chunks = 0

    def rows(self, scenario: str, contender: Any) -> list[Row]:
        streams = len(self.first)
        return [
            _row(scenario, contender, "cpu_per_chunk", self.cpu / self.chunks * 1e6, "µs", self.chunks),
            _row(scenario, contender, "chunks_per_s", self.chunks / self.wall, "/s", self.chunks),
            _row(scenario, contender, "ttfc_p50", statistics.median(self.first) * 1e3, "ms", streams),
        ]


def sync_streams(contenders: list[SyncContender], dialect: str, *, rounds: int, deltas: int, warmup: int) -> list[Row]:
    active = [c for c in contenders if getattr(c, dialect) is not None]
    for contender in active:
        for _ in range(warmup):
            for _chunk in getattr(contender, dialect)(deltas):
                pass
    tallies = {c.name: _StreamTally() for c in active}
    for order in _rounds(active, rounds):
        for contender in order:
            tally, first = tallies[contender.name], None
            gc.collect()  # the last contender's garbage is not this one's to collect
            cpu, begin = time.process_time(), time.perf_counter()
            for _chunk in getattr(contender, dialect)(deltas):
                if first is None:
                    first = time.perf_counter() - begin
                tally.chunks += 1
            tally.wall += time.perf_counter() - begin
            tally.cpu += time.process_time() - cpu
            tally.first.append(first if first is not None else float("nan"))
    return [row for c in active for row in tallies[c.name].rows(f"stream.{dialect}.sync", c)]


async def async_streams(
    contenders: list[AsyncContender], dialect: str, *, rounds: int, deltas: int, warmup: int
) -> list[Row]:
    active = [c for c in contenders if getattr(c, dialect) is not None]
    for contender in active:
        for _ in range(warmup):
            async for _chunk in getattr(contender, dialect)(deltas):
                pass
    tallies = {c.name: _StreamTally() for c in active}
    for order in _rounds(active, rounds):
        for contender in order:
            tally, first = tallies[contender.name], None
            gc.collect()  # the last contender's garbage is not this one's to collect
            cpu, begin = time.process_time(), time.perf_counter()
            async for _chunk in getattr(contender, dialect)(deltas):
                if first is None:
                    first = time.perf_counter() - begin
                tally.chunks += 1
            tally.wall += time.perf_counter() - begin
            tally.cpu += time.process_time() - cpu
            tally.first.append(first if first is not None else float("nan"))
    return [row for c in active for row in tallies[c.name].rows(f"stream.{dialect}.async", c)]


async def concurrent_streams(contenders: list[AsyncContender], stats: Any, *, streams: int, deltas: int) -> list[Row]:
    """`streams` streams at once on one new client of each contender: errors, wall time, connections opened."""
    rows: list[Row] = []
    for template in contenders:
        dialect = "sse" if template.sse is not None else "native"
        if template.fresh is None or getattr(template, dialect) is None:
            continue
        contender = template.fresh()
        expected = deltas + 2 if dialect == "sse" else None

        async def one(contender: AsyncContender = contender, dialect: str = dialect) -> int:
            return sum([1 async for _chunk in getattr(contender, dialect)(deltas)])

        before = await stats()
        begin = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(streams)), return_exceptions=True)
        wall = time.perf_counter() - begin
        opened = await stats() - before
        await contender.close()
        failed = [r for r in results if isinstance(r, BaseException) or (expected is not None and r != expected)]
        if failed:
            print(f"  {contender.name}: {len(failed)} failed streams, first: {failed[0]!r}", file=sys.stderr)
        scenario = f"concurrency.{dialect}"
        rows += [
            _row(scenario, contender, "errors", len(failed), "", streams),
            _row(scenario, contender, "wall", wall, "s", streams),
            _row(scenario, contender, "connections", opened, "", streams),
        ]
    return rows


_IMPORTS = {
    "omnigate_openai": "import omnigate_openai",
    "openai": "import openai",
    OMNIGATE: "import omnigate",
}


def import_times(
    contenders: list[SyncContender], *, samples: int, only: Sequence[str] | None = None, concurrent: bool = False
) -> list[Row]:
    """Import time in a fresh interpreter per sample (bytecode caches warm), interleaved."""
    floor_module = next((c.sdk.split()[0] for c in contenders if c.name == FLOOR), "httpx")
    statements = {**_IMPORTS, FLOOR: f"import {floor_module}"}
    if only is not None:
        statements = {name: statement for name, statement in statements.items() if name in only}
    known = {c.name: c for c in contenders}
    active = [
        name
        for name, statement in statements.items()
        if name in known and importlib.util.find_spec(statement.split()[1])
    ]
    _compile_bytecode([statements[name].split()[1] for name in active])
    code = "import time\nbegin = time.perf_counter()\n{}\nprint(time.perf_counter() - begin)"
    seconds: dict[str, list[float]] = {name: [] for name in active}
    for order in _rounds(active, samples):
        if concurrent:  # a smoke run: the numbers don't matter, the wall time does
            started = {name: _spawn(code.format(statements[name])) for name in order}
            for name, process in started.items():
                seconds[name].append(_seconds(process))
            continue
        for name in order:
            seconds[name].append(_seconds(_spawn(code.format(statements[name]))))
    rows = [
        _row("import", known[name], "import_time", statistics.median(seconds[name]) * 1e3, "ms", samples)
        for name in active
    ]
    if "omnigate_openai" in active:  # what the shim alone adds, without the noise of openai's own import
        increment = code.format("import omnigate_openai").replace("import time", "import openai, time", 1)
        spawned = [_spawn(increment) for _ in range(samples)] if concurrent else None
        added = [_seconds(p) for p in spawned] if spawned else [_seconds(_spawn(increment)) for _ in range(samples)]
        rows.append(
            _row("import", known["omnigate_openai"], "added_to_openai", statistics.median(added) * 1e3, "ms", samples)
        )
    return rows


def _spawn(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


def _seconds(process: subprocess.Popen[str]) -> float:
    out, _ = process.communicate(timeout=120)
    if process.returncode:
        raise RuntimeError(f"an import failed in a fresh interpreter (exit {process.returncode})")
    return float(out.strip())


def _compile_bytecode(modules: list[str]) -> None:
    """Write the bytecode an installed wheel would have (pip compiles it), even under PYTHONDONTWRITEBYTECODE.

    An editable install of the shim is otherwise compiled from source on every import, while openai's
    bytecode sits in site-packages: tens of milliseconds that no user of the wheel pays.
    """
    for module in modules:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.submodule_search_locations:
            for location in spec.submodule_search_locations:
                compileall.compile_dir(location, quiet=1)


def _rss() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: peak RSS is the best the standard library offers
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _memory(make: Any, count: int) -> tuple[float, float, list[object]]:
    """(RSS KiB, Python heap KiB) per live object made by `make()`, keeping them all alive."""
    gc.collect()
    rss = _rss()
    kept = [make() for _ in range(count)]
    gc.collect()
    rss_kib = (_rss() - rss) / count / 1024
    tracemalloc.start()
    try:
        heap = tracemalloc.get_traced_memory()[0]
        kept += [make() for _ in range(count)]
        gc.collect()
        heap_kib = (tracemalloc.get_traced_memory()[0] - heap) / count / 1024
    finally:
        tracemalloc.stop()
    return rss_kib, heap_kib, kept


def client_costs(contenders: list[SyncContender], *, clients: int, copies: int) -> list[Row]:
    """A new client, a per-user copy and a `with_options` copy: time and memory, the same work for each."""
    rows: list[Row] = []
    kept: list[object] = []
    makers = [c for c in contenders if c.new_client is not None]
    times: dict[str, list[float]] = {c.name: [] for c in makers}
    cpu = dict.fromkeys(times, 0.0)
    for order in _rounds(makers, clients):
        for contender in order:
            started, begin = time.process_time(), time.perf_counter()
            kept.append(contender.new_client())  # type: ignore[misc]
            times[contender.name].append(time.perf_counter() - begin)
            cpu[contender.name] += time.process_time() - started
    for contender in makers:
        rows.append(
            _row("client.new", contender, "time_p50", statistics.median(times[contender.name]) * 1e3, "ms", clients)
        )
        rows.append(_row("client.new", contender, "cpu_per_client", cpu[contender.name] / clients * 1e3, "ms", clients))
    for contender in makers:
        rss_kib, heap_kib, alive = _memory(contender.new_client, max(1, clients // 2))
        kept += alive
        rows.append(_row("client.new", contender, "rss_per_client", rss_kib, "KiB", len(alive)))
        rows.append(_row("client.new", contender, "heap_per_client", heap_kib, "KiB", len(alive)))
    del kept

    for scenario, attribute in (("copy.with_user", "with_user"), ("copy.with_options", "with_options")):
        copiers = [c for c in contenders if getattr(c, attribute) is not None]
        if not copiers:
            continue
        batch = min(50, copies)
        per_copy: dict[str, list[float]] = {c.name: [] for c in copiers}
        for order in _rounds(copiers, max(2, copies // batch)):
            for contender in order:
                copy = getattr(contender, attribute)
                begin = time.perf_counter()
                made = [copy(f"user-{i}") if attribute == "with_user" else copy() for i in range(batch)]
                per_copy[contender.name].append((time.perf_counter() - begin) / batch)
                del made
        for contender in copiers:
            median = statistics.median(per_copy[contender.name]) * 1e6
            rows.append(_row(scenario, contender, "time_p50", median, "µs", len(per_copy[contender.name]) * batch))
            if attribute == "with_user":
                copy = contender.with_user
                counter = iter(range(10**9))
                rss_kib, heap_kib, alive = _memory(
                    lambda copy=copy, counter=counter: copy(f"user-{next(counter)}"), copies
                )
                rows.append(_row(scenario, contender, "rss_per_live_copy", rss_kib, "KiB", len(alive)))
                rows.append(_row(scenario, contender, "heap_per_live_copy", heap_kib, "KiB", len(alive)))
                del alive
    return rows
