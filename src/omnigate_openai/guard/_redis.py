"""The Redis store: limits shared by any number of processes and machines (the `redis` extra).

Each operation is one Lua script, so Redis runs it atomically: a reservation checks every scope
and charges all of them, or none. Keys share a hash tag (`omnigate:guard:{<name>}:...`) so that
a guard's keys live on one node. Time comes from the Redis server's clock, so workers on machines
whose clocks disagree still agree on wall-time limits and on when a reservation expires.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from typing import Any

from ._errors import GuardStoreError
from ._limits import Amounts, Line
from ._store import Refusal, ScopeUsage

__all__ = ["RedisStore"]

_EXPIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local prefix = ARGV[#ARGV]
local fields = {'usd', 'tokens', 'calls', 'tool_calls'}
local due = redis.call('ZRANGEBYSCORE', prefix .. 'expiry', '-inf', now)
for _, rid in ipairs(due) do
  local raw = redis.call('GET', prefix .. 'r:' .. rid)
  if raw then
    local res = cjson.decode(raw)
    for _, scope in ipairs(res.s) do
      local key = prefix .. 's:' .. scope
      for i, f in ipairs(fields) do
        local a = res.a[i]
        if a ~= 0 then
          if redis.call('HINCRBY', key, 'r:' .. f, -a) < 0 then redis.call('HSET', key, 'r:' .. f, 0) end
          redis.call('HINCRBY', key, f, a)
        end
      end
    end
    redis.call('DEL', prefix .. 'r:' .. rid)
  end
  redis.call('ZREM', prefix .. 'expiry', rid)
end
"""

# KEYS: scope hashes, then the reservation key. ARGV: ttl ms, rid, n, 4 amounts, n x (name, 4 bounds, max ms), prefix.
_RESERVE = (
    _EXPIRE
    + """
local n = tonumber(ARGV[3])
local amounts = {tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])}
local names = {}
for i = 1, n do
  local key = KEYS[i]
  local base = 7 + (i - 1) * 6
  names[i] = ARGV[base + 1]
  local max_ms = tonumber(ARGV[base + 6])
  local started = tonumber(redis.call('HGET', key, 'started'))
  if max_ms >= 0 and started and now - started >= max_ms then return {i, 4, now - started, max_ms} end
  local v = redis.call('HMGET', key, 'usd', 'tokens', 'calls', 'tool_calls',
                      'r:usd', 'r:tokens', 'r:calls', 'r:tool_calls')
  for m = 1, 4 do
    local limit = tonumber(ARGV[base + 1 + m])
    if limit >= 0 then
      local used = (tonumber(v[m]) or 0) + (tonumber(v[m + 4]) or 0)
      if used + amounts[m] > limit or (amounts[m] == 0 and used >= limit) then return {i, m - 1, used, limit} end
    end
  end
end
for i = 1, n do
  for m = 1, 4 do
    if amounts[m] ~= 0 then redis.call('HINCRBY', KEYS[i], 'r:' .. fields[m], amounts[m]) end
  end
  redis.call('HSETNX', KEYS[i], 'started', now)
end
redis.call('SET', KEYS[n + 1], cjson.encode({s = names, a = amounts}))
redis.call('ZADD', prefix .. 'expiry', now + tonumber(ARGV[1]), ARGV[2])
return {}
"""
)

# KEYS: the reservation key, then scope hashes. ARGV: rid, n, 4 reserved, 4 actual, prefix.
_SETTLE = """
local fields = {'usd', 'tokens', 'calls', 'tool_calls'}
local prefix = ARGV[#ARGV]
local pending = redis.call('DEL', KEYS[1]) == 1
redis.call('ZREM', prefix .. 'expiry', ARGV[1])
local n = tonumber(ARGV[2])
local out = {}
for i = 1, n do
  local key = KEYS[i + 1]
  for m = 1, 4 do
    local reserved, actual = tonumber(ARGV[2 + m]), tonumber(ARGV[6 + m])
    if pending then
      if reserved ~= 0 and redis.call('HINCRBY', key, 'r:' .. fields[m], -reserved) < 0 then
        redis.call('HSET', key, 'r:' .. fields[m], 0)
      end
      if actual ~= 0 then redis.call('HINCRBY', key, fields[m], actual) end
    elseif actual > reserved then
      redis.call('HINCRBY', key, fields[m], actual - reserved)
    end
  end
  out[i] = redis.call('HMGET', key, 'usd', 'tokens', 'calls', 'tool_calls')
end
return out
"""

# KEYS: scope hashes. ARGV: prefix.
_USAGE = (
    _EXPIRE
    + """
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'usd', 'tokens', 'calls', 'tool_calls',
                      'r:usd', 'r:tokens', 'r:calls', 'r:tool_calls', 'started')
  local started = tonumber(v[9])
  v[9] = started and tostring(now - started) or false
  out[i] = v
end
return out
"""
)


def _ints(values: Sequence[Any]) -> Amounts:
    return Amounts(*(int(value) if value else 0 for value in values))


class RedisStore:
    """Counts in Redis at `url`. Connection failures raise `GuardStoreError` (the guard decides: fail closed or open).

    `timeout` bounds every Redis round trip, so an unreachable Redis refuses a call quickly instead of hanging it.
    """

    def __init__(self, url: str, *, namespace: str, timeout: float = 2.0) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - the extra is part of `dev`
            raise ImportError(
                "A Redis-backed guard needs the 'redis' extra: pip install 'omnigate-openai[redis]'"
            ) from exc
        self._url, self._timeout = url, timeout
        self._prefix = f"omnigate:guard:{{{namespace}}}:"
        self._redis = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._errors: tuple[type[BaseException], ...] = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
        )
        self._scripts = [self._redis.register_script(lua) for lua in (_RESERVE, _SETTLE, _USAGE)]
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"RedisStore(prefix={self._prefix!r})"  # the URL may carry a password

    # -- the arguments of each script, written once ------------------------------------------------
    def _reserve_args(
        self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float
    ) -> tuple[list[str], list[Any]]:
        keys = [self._prefix + "s:" + line.scope for line in lines] + [self._prefix + "r:" + rid]
        args: list[Any] = [int(ttl * 1000), rid, len(lines), *amounts]
        for line in lines:
            args += [line.scope, *line.bounds, line.max_ms]
        return keys, [*args, self._prefix]

    def _settle_args(
        self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts
    ) -> tuple[list[str], list[Any]]:
        keys = [self._prefix + "r:" + rid] + [self._prefix + "s:" + scope for scope in scopes]
        return keys, [rid, len(scopes), *reserved, *actual, self._prefix]

    @staticmethod
    def _refusal(found: Sequence[Any], lines: Sequence[Line]) -> Refusal | None:
        if not found:
            return None
        index, metric, current, maximum = (int(value) for value in found)
        return Refusal(lines[index - 1].scope, metric, current, maximum)

    # -- sync ----------------------------------------------------------------------------------------
    def reserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None:
        keys, args = self._reserve_args(rid, lines, amounts, ttl)
        return self._refusal(self._run(0, keys, args), lines)

    def settle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]:
        keys, args = self._settle_args(rid, scopes, reserved, actual)
        return [_ints(row) for row in self._run(1, keys, args)]

    def usage(self, scopes: Sequence[str]) -> list[ScopeUsage]:
        rows = self._run(2, [self._prefix + "s:" + scope for scope in scopes], [self._prefix])
        return [ScopeUsage(_ints(row[:4]), _ints(row[4:8]), int(row[8]) if row[8] else None) for row in rows]

    def reset(self, prefixes: Sequence[str]) -> None:
        try:
            doomed = [
                key
                for key in self._redis.scan_iter(match=self._prefix + "s:*", count=500)
                if key.decode()[len(self._prefix) + 2 :].startswith(tuple(prefixes))
            ]
            if doomed:
                self._redis.delete(*doomed)
        except self._errors as exc:
            raise self._unreachable(exc) from exc

    def _run(self, which: int, keys: list[str], args: list[Any]) -> Any:
        try:
            return self._scripts[which](keys=keys, args=args)
        except self._errors as exc:
            raise self._unreachable(exc) from exc

    # -- async ---------------------------------------------------------------------------------------
    async def areserve(self, rid: str, lines: Sequence[Line], amounts: Amounts, ttl: float) -> Refusal | None:
        keys, args = self._reserve_args(rid, lines, amounts, ttl)
        return self._refusal(await self._arun(0, keys, args), lines)

    async def asettle(self, rid: str, scopes: Sequence[str], reserved: Amounts, actual: Amounts) -> list[Amounts]:
        keys, args = self._settle_args(rid, scopes, reserved, actual)
        return [_ints(row) for row in await self._arun(1, keys, args)]

    async def _arun(self, which: int, keys: list[str], args: list[Any]) -> Any:
        client, scripts = self._async_client()
        try:
            return await scripts[which](keys=keys, args=args, client=client)
        except self._errors as exc:
            raise self._unreachable(exc) from exc

    def _async_client(self) -> tuple[Any, list[Any]]:
        """One asyncio client per event loop: redis.asyncio connections belong to the loop that opened them."""
        loop = asyncio.get_running_loop()
        found = self._async.get(loop)
        if found is None:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(
                self._url, socket_timeout=self._timeout, socket_connect_timeout=self._timeout
            )
            found = (client, [client.register_script(lua) for lua in (_RESERVE, _SETTLE, _USAGE)])
            self._async[loop] = found
        return found

    def close(self) -> None:
        self._redis.close()

    def _unreachable(self, exc: BaseException) -> GuardStoreError:
        return GuardStoreError(f"The guard's Redis store is unreachable ({type(exc).__name__}: {exc})")
