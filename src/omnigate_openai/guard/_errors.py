"""The errors a guard raises. Each is a `GatewayError`, raised before anything is sent::

    * GatewayError                  openai.OpenAIError
      + GuardError                                          a guard refused the call before sending
        - LimitExceededError                                a limit of a scope has no room for the call
        - UnpricedModelError                                the gateway lists no price for the model
        - LoopDetectedError                                 the agent repeats itself
        - ToolAccessDeniedError                             a tool the agent may not use was offered or called
        - CallVetoedError                                   a `before_call` hook said no
        - GuardStoreError                                   the shared store is unreachable (fail closed)

Retrying helps only for `GuardStoreError` (once the store is back); the others need a raised limit,
a changed request or a `guard.reset()`. The one error raised after an answer arrived is a
`ToolAccessDeniedError` for a denied tool *called* in it: the call is then paid, settled and recorded.
"""

from __future__ import annotations

from typing import Literal

from .._exceptions import GatewayError

__all__ = [
    "CallVetoedError",
    "GuardError",
    "GuardStoreError",
    "LimitExceededError",
    "LoopDetectedError",
    "ToolAccessDeniedError",
    "UnpricedModelError",
]

LimitName = Literal["max_usd", "max_tokens", "max_calls", "max_tool_calls", "max_seconds", "max_iterations"]
LoopKind = Literal["same_request", "same_answer", "same_tool_call", "ping_pong"]


class GuardError(GatewayError):
    """A guard refused a call before it was sent."""


class LimitExceededError(GuardError):
    """The call does not fit a limit: its worst case on top of what is spent and reserved exceeds it."""

    limit: LimitName
    """Which limit: `max_usd`, `max_tokens`, `max_calls`, `max_tool_calls` or `max_seconds`."""
    current: float
    """What the scope has spent plus what in-flight calls have reserved (USD, tokens, calls or seconds)."""
    maximum: float
    requested: float
    """What this call would have reserved (0 for time and tool calls, which are checked, not reserved)."""
    scope: str
    """Where the limit is set: `run:<guard>`, `agent:<guard>:<agent id>` or `user:<guard>:<user id>`."""

    def __init__(self, *, limit: LimitName, current: float, maximum: float, requested: float, scope: str) -> None:
        super().__init__(
            f"Guard limit {limit} of {scope} reached: {current:g} used or reserved, "
            f"{requested:g} more requested, limit {maximum:g}"
        )
        self.limit, self.current, self.maximum, self.requested, self.scope = limit, current, maximum, requested, scope


class UnpricedModelError(GuardError):
    """The gateway lists no price for the model (or its prices could not be fetched), so its worst case
    cannot be reserved.

    Pass `Guard(unpriced_model=(usd_per_1k_prompt, usd_per_1k_completion))` to reserve by a price
    you state instead. A model is never reserved at $0.
    """

    model: str

    def __init__(self, model: str, *, prices_unknown: bool = False) -> None:
        stated = "pass Guard(unpriced_model=(usd_per_1k_prompt, usd_per_1k_completion)) to reserve by a stated price"
        if prices_unknown:
            message = (
                f"The gateway's prices could not be fetched (the client asks again later), so the guard cannot "
                f"reserve the cost of model {model!r}; {stated}"
            )
        else:
            message = f"The gateway lists no price for model {model!r}, so the guard cannot reserve its cost; {stated}"
        super().__init__(message)
        self.model = model


class LoopDetectedError(GuardError):
    """The agent is repeating itself (see `LoopDetection` for the thresholds); `guard.reset()` forgets."""

    kind: LoopKind
    agent_id: str | None
    count: int
    """How many repetitions were seen."""

    def __init__(self, message: str, *, kind: LoopKind, agent_id: str | None, count: int) -> None:
        super().__init__(message)
        self.kind, self.agent_id, self.count = kind, agent_id, count


class ToolAccessDeniedError(GuardError):
    """The agent may not use this tool: offered in a request (refused before sending) or called in an answer."""

    tool: str
    agent_id: str | None
    where: Literal["offered", "called"]
    completion: object | None
    """The answer that called the tool (`where == "called"`): paid and settled, but not handed on."""

    def __init__(
        self, *, tool: str, agent_id: str | None, where: Literal["offered", "called"], completion: object = None
    ) -> None:
        verb = "was offered" if where == "offered" else "was called"
        super().__init__(f"Tool {tool!r} {verb} but agent {agent_id!r} may not use it")
        self.tool, self.agent_id, self.where, self.completion = tool, agent_id, where, completion


class CallVetoedError(GuardError):
    """A `before_call` hook returned False or a reason: the call was not sent."""

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(f"A before_call hook vetoed the call: {reason}")
        self.reason = reason


class GuardStoreError(GuardError):
    """The guard's shared store (Redis) could not be reached; with `fail_closed=True` no call is sent."""


for _cls in (
    GuardError,
    LimitExceededError,
    UnpricedModelError,
    LoopDetectedError,
    ToolAccessDeniedError,
    CallVetoedError,
    GuardStoreError,
):
    _cls.__module__ = "omnigate_openai"
del _cls
