"""Guard: the limits, loop detection, tool access, hooks and history that agents' calls pass through.

A guard is attached to a client with `client.with_guard(guard, agent_id=...)`; every chat call of
that copy (sync, async, streamed, on either route, each SDK retry and each extra call a helper
makes) is checked before it is sent and settled after. Guards nest: `guard.child(...)` counts in
its own scopes and in every ancestor's, so a child run is capped by its parent.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from .._exceptions import ConfigurationError, GatewayError
from .._numbers import is_amount
from .._profile import GatewayProfile, Prices
from ._errors import CallVetoedError, GuardError, LimitName
from ._estimate import price_per_1k
from ._history import CallRecord, History, Row
from ._limits import METRICS, Amounts, Limits, Line, Scopes, as_shown
from ._loops import LoopDetection, LoopTracker
from ._store import MemoryStore, Store
from ._tools import ToolAccess

__all__ = ["CallInfo", "Guard", "GuardMetrics", "LimitWarning"]

log = logging.getLogger("omnigate_openai.guard")

_NAME_FORBIDDEN = ("|", "/", "{", "}")


@dataclasses.dataclass(frozen=True)
class CallInfo:
    """What a `before_call` hook is shown. Return False or a reason (str) to veto; None or True to let it go."""

    agent_id: str | None
    user_id: str | None
    model: str
    route: Literal["compat", "native"]
    stream: bool
    messages: Sequence[Any]
    tools: tuple[str, ...]
    reserved_usd: float
    """The worst case the guard will reserve for the call."""


@dataclasses.dataclass(frozen=True)
class LimitWarning:
    """`on_warning` is called once per scope and limit when use crosses `warn_at` of it."""

    scope: str
    limit: LimitName
    current: float
    maximum: float


@dataclasses.dataclass(frozen=True)
class GuardMetrics:
    """A scope's use, shared across processes when the store is Redis; `errors` and `refused` are this process's."""

    scope: str
    cost_usd: float
    tokens: int
    calls: int
    tool_calls: int
    reserved_usd: float
    """What calls in flight have reserved and not yet settled."""
    elapsed_seconds: float | None
    remaining: dict[str, float]
    """For each limit set on the scope, what is left of it."""
    errors: int
    refused: int


Hook = Callable[[Any], Any]


class Guard:
    """Limits (global, per agent, per user), loop detection, tool access, hooks and a call history.

    `store`: None keeps counts in this process; `"redis://host:port/db"` (the `redis` extra) shares
    them among every process using a guard of the same `name`. `fail_closed=False` lets calls go
    unguarded (with a logged warning) while Redis is unreachable; by default they are refused with
    `GuardStoreError`. `unpriced_model`: `"refuse"`, or `(usd_per_1k_prompt, usd_per_1k_completion)`
    to reserve a model the gateway does not price. `reservation_ttl`: seconds after which a call
    never settled (its worker crashed) is charged at its worst case and its reservation dropped;
    keep it above your longest call.
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        per_agent: Limits | Mapping[str, Limits] | None = None,
        per_user: Limits | None = None,
        name: str = "default",
        store: str | Store | None = None,
        loops: LoopDetection | None = None,
        tool_access: ToolAccess | Mapping[str, ToolAccess] | None = None,
        before_call: Hook | None = None,
        after_call: Hook | None = None,
        on_warning: Callable[[LimitWarning], Any] | None = None,
        warn_at: float = 0.8,
        unpriced_model: Literal["refuse"] | tuple[float, float] = "refuse",
        default_output_tokens: int = 4096,
        reservation_ttl: float = 300.0,
        history_size: int = 1000,
        fail_closed: bool = True,
        _parent: Guard | None = None,
    ) -> None:
        if not isinstance(name, str) or not name or any(char in name for char in _NAME_FORBIDDEN):
            raise ValueError(f"Expected a non-empty guard name without {' '.join(_NAME_FORBIDDEN)}, got {name!r}")
        if not 0 < warn_at <= 1:
            raise ValueError(f"Expected 0 < warn_at <= 1, got {warn_at!r}")
        if unpriced_model != "refuse" and not (
            isinstance(unpriced_model, tuple) and len(unpriced_model) == 2 and all(map(is_amount, unpriced_model))
        ):
            expected = "unpriced_model='refuse' or (usd_per_1k_prompt, usd_per_1k_completion), finite amounts >= 0"
            raise ValueError(f"Expected {expected}, got {unpriced_model!r}")
        if default_output_tokens < 1 or reservation_ttl <= 0 or history_size < 1:
            raise ValueError("Expected default_output_tokens >= 1, reservation_ttl > 0 and history_size >= 1")
        self.name = name
        self.parent = _parent
        self.path: str = name if _parent is None else f"{_parent.path}/{name}"
        self.limits = limits or Limits()
        self.per_agent = per_agent
        self.per_user = per_user
        self.tool_access = tool_access
        self.before_call, self.after_call, self.on_warning = before_call, after_call, on_warning
        self.warn_at = warn_at
        self.unpriced_model = unpriced_model
        self.default_output_tokens = default_output_tokens
        self.reservation_ttl = reservation_ttl
        self.fail_closed = fail_closed
        self.store: Store = _parent.store if _parent is not None else _store_for(store, name)
        self.loops = LoopTracker(loops if loops is not None else LoopDetection())
        self._history = History(history_size)
        self._scopes: dict[tuple[str | None, str | None], Scopes] = {}
        self._prices: tuple[object, dict[tuple[str, ...], tuple[float, float] | None]] = (None, {})
        self._warned: set[tuple[str, int]] = set()
        self._counts_lock = threading.Lock()
        self._errors: dict[str | None, int] = {}
        self._refused: dict[str | None, int] = {}

    def __repr__(self) -> str:
        return f"Guard(name={self.path!r}, limits={self.limits!r}, store={self.store!r})"

    def child(
        self,
        *,
        name: str,
        limits: Limits | None = None,
        per_agent: Limits | Mapping[str, Limits] | None = None,
        per_user: Limits | None = None,
        **options: Any,
    ) -> Guard:
        """A guard for a sub-run: its calls count in its own scopes and in all of this guard's."""
        inherited = {
            "loops": self.loops.config,
            "tool_access": self.tool_access,
            "before_call": self.before_call,
            "after_call": self.after_call,
            "on_warning": self.on_warning,
            "warn_at": self.warn_at,
            "unpriced_model": self.unpriced_model,
            "default_output_tokens": self.default_output_tokens,
            "reservation_ttl": self.reservation_ttl,
            "fail_closed": self.fail_closed,
        }
        return Guard(
            name=name, limits=limits, per_agent=per_agent, per_user=per_user, _parent=self, **{**inherited, **options}
        )

    # -- scopes ------------------------------------------------------------------------------------
    def scopes(self, agent_id: str | None, user_id: str | None) -> Scopes:
        """Every scope a call of this agent and user counts in: this guard's, then each ancestor's."""
        key = (agent_id, user_id)
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = Scopes.of(
                self._own_lines(agent_id, user_id, innermost=True)
                + (() if self.parent is None else self.parent._ancestor_lines(agent_id, user_id))
            )
        return found

    def _ancestor_lines(self, agent_id: str | None, user_id: str | None) -> tuple[Line, ...]:
        own = self._own_lines(agent_id, user_id, innermost=False)
        return own + (() if self.parent is None else self.parent._ancestor_lines(agent_id, user_id))

    def _own_lines(self, agent_id: str | None, user_id: str | None, *, innermost: bool) -> tuple[Line, ...]:
        lines = [Line.of(self.run_scope(), self.limits)]
        agent_limits = self._agent_limits(agent_id)
        if agent_id is not None and (innermost or agent_limits is not None):
            lines.append(Line.of(self.agent_scope(agent_id), agent_limits or Limits()))
        if user_id is not None and (innermost or self.per_user is not None):
            lines.append(Line.of(self.user_scope(user_id), self.per_user or Limits()))
        return tuple(lines)

    def _agent_limits(self, agent_id: str | None) -> Limits | None:
        per_agent = self.per_agent
        if per_agent is None or isinstance(per_agent, Limits):
            return per_agent
        return None if agent_id is None else per_agent.get(agent_id) or per_agent.get("*")

    def price_of(
        self, model: str, fallbacks: object, prices: Prices | None, profile: GatewayProfile
    ) -> tuple[float, float] | None:
        """The price a call of `model` (and its fallbacks) reserves at, remembered per price list.

        A gateway without prices (`prices` None) reserves at `unpriced_model`'s price, or is refused.
        """
        models = (model, *fallbacks) if isinstance(fallbacks, (list, tuple)) else (model,)
        known, memo = self._prices
        if known is not prices:
            memo = {}
            self._prices = (prices, memo)
        if models not in memo:
            memo[models] = price_per_1k(
                models, prices, None if self.unpriced_model == "refuse" else self.unpriced_model, profile.priced_model
            )
        return memo[models]

    def run_scope(self) -> str:
        return f"{self.path}|run"

    def agent_scope(self, agent_id: str) -> str:
        return f"{self.path}|agent|{agent_id}"

    def user_scope(self, user_id: str) -> str:
        return f"{self.path}|user|{user_id}"

    # -- what a user asks ------------------------------------------------------------------------------
    def history(self, *, agent_id: str | None = None, limit: int | None = None) -> list[CallRecord]:
        """The calls this guard (and its children) saw in this process, oldest first; the last `limit`."""
        if limit is not None and (type(limit) is not int or limit < 0):
            raise ValueError(f"Expected history(limit=...) to be an int >= 0 or None, got {limit!r}")
        return self._history.select(agent_id=agent_id, limit=limit)

    def metrics(self, *, agent_id: str | None = None, user_id: str | None = None) -> GuardMetrics:
        """The use of the whole guard, or of one agent or user of it."""
        if agent_id is not None:
            scope, limits = self.agent_scope(agent_id), self._agent_limits(agent_id) or Limits()
        elif user_id is not None:
            scope, limits = self.user_scope(user_id), self.per_user or Limits()
        else:
            scope, limits = self.run_scope(), self.limits
        used = self.store.usage([scope])[0]
        spent, reserved = used.spent, used.reserved
        remaining: dict[str, float] = {}
        for index, bound in enumerate(limits.bounds()):
            if bound >= 0:
                remaining[METRICS[index]] = as_shown(METRICS[index], max(0, bound - spent[index] - reserved[index]))
        elapsed = None if used.elapsed_ms is None else used.elapsed_ms / 1000
        if limits.max_seconds is not None:
            remaining["max_seconds"] = max(0.0, limits.max_seconds - (elapsed or 0.0))
        who = agent_id if agent_id is not None else None
        with self._counts_lock:
            errors = sum(self._errors.values()) if agent_id is None else self._errors.get(who, 0)
            refused = sum(self._refused.values()) if agent_id is None else self._refused.get(who, 0)
        return GuardMetrics(
            scope=scope,
            cost_usd=spent.micro_usd / 1_000_000,
            tokens=spent.tokens,
            calls=spent.calls,
            tool_calls=spent.tool_calls,
            reserved_usd=reserved.micro_usd / 1_000_000,
            elapsed_seconds=elapsed,
            remaining=remaining,
            errors=errors,
            refused=refused,
        )

    def flush(self) -> None:
        """Send the settlements this process has queued (Redis settles off the caller's path; memory: a no-op).

        `metrics()`, `reset()` and interpreter exit flush by themselves; call it before handing over to
        another process that must see this one's spend at once.
        """
        self.store.flush()

    def reset(self) -> None:
        """Forget this guard's counts (in the store: for every process), its children's, its history and loops.

        Calls in flight when it runs are not counted in the fresh counts: their settlement is dropped in
        the reset scopes (an ancestor's scopes, not reset, still count them).
        """
        self.store.reset([f"{self.path}|", f"{self.path}/"])
        self._history.clear()
        self.loops.reset()
        self._warned.clear()
        with self._counts_lock:
            self._errors.clear()
            self._refused.clear()

    # -- what a call reports -------------------------------------------------------------------------
    def record(self, row: Row, agent_id: str | None, *, failed: bool, refused: bool) -> None:
        guard: Guard | None = self
        while guard is not None:
            guard._history.add(row)
            if failed:
                with guard._counts_lock:
                    counts = guard._refused if refused else guard._errors
                    counts[agent_id] = counts.get(agent_id, 0) + 1
            guard = guard.parent

    def warnings(self, lines: Sequence[Line], spent: Sequence[Amounts]) -> list[LimitWarning]:
        """The limits that crossed `warn_at` with this settlement, each reported once per process."""
        found = []
        for line, amounts in zip(lines, spent, strict=False):
            for index, bound in enumerate(line.bounds):
                if bound > 0 and amounts[index] >= self.warn_at * bound and (line.scope, index) not in self._warned:
                    self._warned.add((line.scope, index))
                    metric = METRICS[index]
                    found.append(
                        LimitWarning(line.scope, metric, as_shown(metric, amounts[index]), as_shown(metric, bound))
                    )
        return found


def _store_for(store: str | Store | None, namespace: str) -> Store:
    if store is None:
        return MemoryStore()
    if isinstance(store, str):
        if not store.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"Expected store=None, a Store, or a redis:// URL, got {store.split('@')[-1]!r}")
        from ._redis import RedisStore

        return RedisStore(store, namespace=namespace)
    return store


def hook_result_sync(hook: Hook, value: object, what: str) -> Any:
    """A hook's verdict. What it raises comes out as a `GuardError`: under openai 2.x the SDK would
    otherwise take any other exception raised while sending for a connection failure, and retry."""
    try:
        result = hook(value)
    except GatewayError:
        raise
    except Exception as exc:
        raise _hook_failed(what, exc) from exc
    if isinstance(result, Awaitable):
        if hasattr(result, "close"):
            result.close()
        raise ConfigurationError(f"Guard({what}=...) is async: use it with an AsyncOpenAI client")
    return result


async def hook_result_async(hook: Hook, value: object, what: str) -> Any:
    try:
        result = hook(value)
        return await result if isinstance(result, Awaitable) else result
    except GatewayError:
        raise
    except Exception as exc:
        raise _hook_failed(what, exc) from exc


def _hook_failed(what: str, exc: Exception) -> GuardError:
    message = f"The {what} hook raised {type(exc).__name__}: {exc}"
    return CallVetoedError(message) if what in ("before_call", "on_loop") else GuardError(message)
