"""The Redis store: limits shared by any number of processes and machines (the `redis` extra).

Each operation is one Lua script, so Redis runs it atomically: a reservation checks every scope
and charges all of them, or none. A guard tree's state is three keys, all passed to every script
in KEYS and sharing a hash tag (`omnigate:guard:{<name>}:...`, so they live in one Cluster slot):
a hash of every scope's counters (`<scope>#<counter>` fields), a hash of the reservations in
flight, and a sorted set of their deadlines. Time comes from the Redis server's clock, so workers
on machines whose clocks disagree still agree on wall-time limits and on when a reservation expires.

One round trip per call. A settlement is not sent on the caller's critical path: it is queued and
rides on this process's next script (usually the next call's reservation), or a background thread
sends it within `linger` seconds when no call comes. Until it lands, the call's worst case stays
reserved, so limits stay exact: other calls may be refused a little early, never let through
past a limit. `flush()` (which `metrics()`, `reset()`, `close()` and interpreter exit call) sends
what is queued at once. A guard with an `on_warning` hook settles at once, to know the totals.

Reset: each scope records the reservation serial (`#born`) that created it; `reset()` deletes the
scope's fields, so a reservation made before the reset no longer matches its scope and its late
settlement (or expiry) is dropped there, instead of landing on the fresh counters.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Sequence
from typing import Any

from .._extras import install_hint
from ._errors import GuardStoreError
from ._limits import Amounts, Line
from ._resp import AsyncPipe, Pipe, ReplyError, evalsha, script_sha
from ._store import Refusal, ScopeUsage

__all__ = ["RedisStore"]

log = logging.getLogger("omnigate_openai.guard")

# KEYS: the scopes hash, the reservations hash, the deadlines sorted set (every script).
_PRELUDE = """
local S, P, E = KEYS[1], KEYS[2], KEYS[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local F = {'usd', 'tokens', 'calls', 'tool_calls'}
local function int(x) return string.format('%d', x) end
-- A settlement (or an expiry: actual = reserved) in one scope, one read and one write, unless the scope was
-- reset since the reservation (serial q): then it is dropped there.
local function apply(scope, q, reserved, actual, pending)
  local k = {scope .. '#born', scope .. '#usd', scope .. '#tokens', scope .. '#calls', scope .. '#tool_calls',
             scope .. '#r:usd', scope .. '#r:tokens', scope .. '#r:calls', scope .. '#r:tool_calls'}
  local v = redis.call('HMGET', S, unpack(k))
  if not v[1] or tonumber(v[1]) > q then return end
  local set = {}
  for m = 1, 4 do
    local spent, held = tonumber(v[1 + m]) or 0, tonumber(v[5 + m]) or 0
    local add = actual[m]
    if pending then
      if reserved[m] ~= 0 then
        set[#set + 1] = k[5 + m]
        set[#set + 1] = int(math.max(0, held - reserved[m]))
      end
    else  -- expired and charged at its worst case: only the excess
      add = math.max(0, actual[m] - reserved[m])
    end
    if add ~= 0 then
      set[#set + 1] = k[1 + m]
      set[#set + 1] = int(spent + add)
    end
  end
  if #set > 0 then redis.call('HSET', S, unpack(set)) end
end
local due = redis.call('ZRANGEBYSCORE', E, '-inf', now)
for _, rid in ipairs(due) do
  local raw = redis.call('HGET', P, rid)
  if raw then
    local res = cjson.decode(raw)
    for _, scope in ipairs(res.s) do apply(scope, res.q, res.a, res.a, true) end
    redis.call('HDEL', P, rid)
  end
  redis.call('ZREM', E, rid)
end
"""

# ARGV[1]: JSON {s: settlements [[rid, serial, [scopes], [4 reserved], [4 actual]], ...], w: want the totals,
# r: rid to reserve, t: its ttl ms, a: [4 amounts], l: [[scope, 4 bounds, max ms], ...]}.
# Returns {0, serial, totals of the last settlement's scopes} or a refusal {line, metric, current, maximum}.
_STEP = (
    _PRELUDE
    + """
local job = cjson.decode(ARGV[1])
local totals = {}
for _, st in ipairs(job.s) do
  local rid, q, scopes, reserved, actual = st[1], st[2], st[3], st[4], st[5]
  local pending = redis.call('HDEL', P, rid) == 1
  redis.call('ZREM', E, rid)
  totals = {}
  for i, scope in ipairs(scopes) do
    apply(scope, q, reserved, actual, pending)
    if job.w then
      totals[i] = redis.call('HMGET', S, scope .. '#usd', scope .. '#tokens', scope .. '#calls', scope .. '#tool_calls')
    end
  end
end
if not job.r then return {0, 0, totals} end
local a = job.a
local seen = {}
for i, line in ipairs(job.l) do
  local scope, max_ms = line[1], line[6]
  local v = redis.call('HMGET', S, scope .. '#usd', scope .. '#tokens', scope .. '#calls', scope .. '#tool_calls',
                      scope .. '#r:usd', scope .. '#r:tokens', scope .. '#r:calls', scope .. '#r:tool_calls',
                      scope .. '#started', scope .. '#born')
  local started = tonumber(v[9])
  if max_ms >= 0 and started and now - started >= max_ms then return {i, 4, now - started, max_ms} end
  for m = 1, 4 do
    local limit = line[1 + m]
    if limit >= 0 then
      local used = (tonumber(v[m]) or 0) + (tonumber(v[m + 4]) or 0)
      if used + a[m] > limit or (a[m] == 0 and used >= limit) then return {i, m - 1, used, limit} end
    end
  end
  seen[i] = v
end
local q = redis.call('HINCRBY', S, '#serial', 1)
local scopes = {}
for i, line in ipairs(job.l) do
  local scope, v = line[1], seen[i]
  scopes[i] = scope
  local set = {}
  for m = 1, 4 do
    if a[m] ~= 0 then
      set[#set + 1] = scope .. '#r:' .. F[m]
      set[#set + 1] = int((tonumber(v[m + 4]) or 0) + a[m])
    end
  end
  if not v[9] then set[#set + 1] = scope .. '#started'; set[#set + 1] = now end
  if not v[10] then set[#set + 1] = scope .. '#born'; set[#set + 1] = q end
  if #set > 0 then redis.call('HSET', S, unpack(set)) end
end
redis.call('HSET', P, job.r, cjson.encode({s = scopes, a = a, q = q}))
redis.call('ZADD', E, now + job.t, job.r)
return {0, q, totals}
"""
)

# ARGV: scope names.
_USAGE = (
    _PRELUDE
    + """
local out = {}
for i, scope in ipairs(ARGV) do
  local v = redis.call('HMGET', S, scope .. '#usd', scope .. '#tokens', scope .. '#calls', scope .. '#tool_calls',
                      scope .. '#r:usd', scope .. '#r:tokens', scope .. '#r:calls', scope .. '#r:tool_calls',
                      scope .. '#started')
  local started = tonumber(v[9])
  v[9] = started and tostring(now - started) or false
  out[i] = v
end
return out
"""
)

# ARGV: prefixes of the scopes to forget.
_RESET = """
local S = KEYS[1]
for _, field in ipairs(redis.call('HKEYS', S)) do
  for _, prefix in ipairs(ARGV) do
    if string.sub(field, 1, #prefix) == prefix then
      redis.call('HDEL', S, field)
      break
    end
  end
end
"""

_SCRIPTS = (_STEP, _USAGE, _RESET)
_SHAS = tuple(script_sha(lua) for lua in _SCRIPTS)
_STEP_AT, _USAGE_AT, _RESET_AT = range(3)


def _ints(values: Sequence[Any]) -> Amounts:
    return Amounts(*(int(value) if value else 0 for value in values))


class RedisStore:
    """Counts in Redis at `url`. Connection failures raise `GuardStoreError` (the guard decides: fail closed or open).

    `timeout` bounds every Redis round trip, so an unreachable Redis refuses a call quickly instead of hanging it.
    `linger`: how long a queued settlement waits for the next call to carry it before a thread sends it.
    """

    def __init__(self, url: str, *, namespace: str, timeout: float = 2.0, linger: float = 0.005) -> None:
        try:
            import redis
        except ImportError as exc:
            raise ImportError(f"A Redis-backed guard needs the 'redis' extra: {install_hint('redis')}") from exc
        self._url, self._timeout, self._linger = url, timeout, linger
        self._prefix = f"omnigate:guard:{{{namespace}}}:"
        self._keys = [self._prefix + "scopes", self._prefix + "pending", self._prefix + "expiry"]
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._errors: tuple[type[BaseException], ...] = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            OSError,  # the lean path's socket errors and timeouts
            asyncio.TimeoutError,
        )
        self._key_bytes = [key.encode() for key in self._keys]
        self._pipe = Pipe(self._redis)
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, AsyncPipe]] = (
            weakref.WeakKeyDictionary()
        )
        self._lines: dict[tuple[Line, ...], str] = {}
        self._serials: dict[str, int] = {}
        self._queue: list[str] = []
        self._queue_lock = threading.Lock()
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None
        self._flusher_pid = 0
        _OPEN.add(self)

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self._prefix!r})"  # the URL may carry a password

    # -- the job of one script, written once -----------------------------------------------------------
    def _lines_json(self, lines: Sequence[Line]) -> str:
        key = tuple(lines)
        found = self._lines.get(key)
        if found is None:
            if len(self._lines) > 4096:
                self._lines.clear()
            found = self._lines[key] = json.dumps([[line.scope, *line.bounds, line.max_ms] for line in lines])
        return found

    def _taken(self) -> str:
        """The queued settlements, taken: whichever script carries them, they are sent once."""
        with self._queue_lock:
            queued, self._queue = self._queue, []
        return ",".join(queued)

    def _reserve_job(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> str:
        micro_usd, tokens, calls, tool_calls = amounts
        return (
            f'{{"s":[{self._taken()}],"r":{json.dumps(rid)},"t":{int(ttl * 1000)},'
            f'"a":[{micro_usd},{tokens},{calls},{tool_calls}],"l":{self._lines_json(lines)}}}'
        )

    def _settlement(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> str:
        serial = self._serials.pop(rid, 0)
        return json.dumps([rid, serial, list(scopes), list(reserved), list(actual)])

    def _reserved(self, rid: str, found: Sequence[Any], lines: Sequence[Line]) -> Refusal | None:
        if int(found[0]) == 0:
            self._serials[rid] = int(found[1])
            return None
        index, metric, current, maximum = (int(value) for value in found)
        return Refusal(lines[index - 1].scope, metric, current, maximum)

    # -- sync ----------------------------------------------------------------------------------------
    def reserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None:
        job = self._reserve_job(rid, lines, amounts, ttl)
        return self._reserved(rid, self._run(_STEP_AT, [job]), lines)

    def settle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]:
        """Settle now (with what is queued) and return the scopes' totals after it: one round trip."""
        settlement = self._settlement(rid, scopes, reserved, actual)
        queued = self._taken()
        found = self._run(_STEP_AT, [f'{{"s":[{queued + "," if queued else ""}{settlement}],"w":true}}'])
        return [_ints(row) for row in found[2]]

    def settle_soon(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> None:
        """Queue the settlement: the next script of this process carries it, or the flusher within `linger`."""
        settlement = self._settlement(rid, scopes, reserved, actual)
        with self._queue_lock:
            self._queue.append(settlement)
            if self._flusher is None or self._flusher_pid != os.getpid():  # a forked child has no flusher yet
                self._flusher = threading.Thread(target=_flush_loop, args=(weakref.ref(self),), daemon=True)
                self._flusher_pid = os.getpid()
                self._flusher.start()
        self._wake.set()

    def flush(self) -> None:
        """Send the queued settlements now; if Redis is unreachable they are lost, and their reservations expire.

        One flush at a time: a flush that finds the queue empty because the flusher thread took it waits until
        those settlements reached Redis, so what `usage()` reads after it includes them.
        """
        with self._flushing:
            queued = self._taken()
            if queued:
                try:
                    self._run(_STEP_AT, [f'{{"s":[{queued}]}}'])
                except GuardStoreError as exc:
                    log.warning("Guard store %s: could not settle queued calls (they expire): %s", self._prefix, exc)

    def usage(self, scopes: Sequence[str]) -> list[ScopeUsage]:
        self.flush()
        rows = self._run(_USAGE_AT, list(scopes))
        return [ScopeUsage(_ints(row[:4]), _ints(row[4:8]), int(row[8]) if row[8] else None) for row in rows]

    def reset(self, prefixes: Sequence[str]) -> None:
        self.flush()
        self._run(_RESET_AT, list(prefixes))

    def _run(self, which: int, args: list[str]) -> Any:
        command = evalsha(_SHAS[which], self._key_bytes, [arg.encode() for arg in args])
        try:
            try:
                return self._pipe.call(command)
            except ReplyError as exc:
                if not str(exc).startswith("NOSCRIPT"):
                    raise self._refused(exc) from exc
                self._redis.script_load(_SCRIPTS[which])  # once per Redis server (and after SCRIPT FLUSH)
                return self._pipe.call(command)
        except self._errors as exc:
            raise self._unreachable(exc) from exc

    # -- async ---------------------------------------------------------------------------------------
    async def areserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None:
        job = self._reserve_job(rid, lines, amounts, ttl)
        return self._reserved(rid, await self._arun(_STEP_AT, [job]), lines)

    async def asettle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]:
        settlement = self._settlement(rid, scopes, reserved, actual)
        queued = self._taken()
        found = await self._arun(_STEP_AT, [f'{{"s":[{queued + "," if queued else ""}{settlement}],"w":true}}'])
        return [_ints(row) for row in found[2]]

    async def _arun(self, which: int, args: list[str]) -> Any:
        client, pipe = self._async_client()
        command = evalsha(_SHAS[which], self._key_bytes, [arg.encode() for arg in args])
        try:
            try:
                return await pipe.call(command)
            except ReplyError as exc:
                if not str(exc).startswith("NOSCRIPT"):
                    raise self._refused(exc) from exc
                await client.script_load(_SCRIPTS[which])
                return await pipe.call(command)
        except self._errors as exc:
            raise self._unreachable(exc) from exc

    def _async_client(self) -> tuple[Any, AsyncPipe]:
        """One asyncio client per event loop: redis.asyncio connections belong to the loop that opened them."""
        loop = asyncio.get_running_loop()
        found = self._async.get(loop)
        if found is None:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(
                self._url, socket_timeout=self._timeout, socket_connect_timeout=self._timeout
            )
            found = self._async[loop] = (client, AsyncPipe(client, self._timeout))
        return found

    def close(self) -> None:
        self.flush()
        _OPEN.discard(self)
        self._pipe.close()
        self._redis.close()

    def _unreachable(self, exc: BaseException) -> GuardStoreError:
        return GuardStoreError(f"The guard's Redis store is unreachable ({type(exc).__name__}: {exc})")

    @staticmethod
    def _refused(exc: ReplyError) -> GuardStoreError:
        return GuardStoreError(f"Redis refused the guard's script: {exc}")


_OPEN: weakref.WeakSet[RedisStore] = weakref.WeakSet()


def _flush_loop(ref: weakref.ReferenceType[RedisStore]) -> None:
    """The flusher: wakes on a queued settlement, gives the next call `linger` to carry it, then sends what is left.

    It holds its store only weakly and ends after a second with nothing queued (the next settlement starts another).
    """
    while True:
        store = ref()
        if store is None:
            return
        wake, linger = store._wake, store._linger
        del store
        woken = wake.wait(timeout=1.0)
        store = ref()
        if store is None:
            return
        if not woken:
            with store._queue_lock:
                if not store._queue:
                    store._flusher = None
                    return
            continue
        wake.clear()
        del store
        time.sleep(linger)
        store = ref()
        if store is None:
            return
        store.flush()
        del store


@atexit.register
def _flush_at_exit() -> None:
    """Nothing queued is lost when the interpreter exits normally (a crash: the reservations expire)."""
    for store in list(_OPEN):
        store.flush()
