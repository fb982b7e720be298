"""Agent guardrails on the client: limits that hold across processes, loops, tool access, hooks, history.

    from omnigate_openai import Guard, Limits, OpenAI
    guard = Guard(limits=Limits(max_usd=5.0, max_calls=200), name="team-a")   # store="redis://..." to share
    agent = OpenAI().with_guard(guard, agent_id="researcher")

Every chat call of `agent` is checked and its worst case reserved before it is sent, then settled
to the gateway's real cost. The names here are re-exported from `omnigate_openai`.
"""

from __future__ import annotations

from ._errors import CallVetoedError as CallVetoedError
from ._errors import GuardError as GuardError
from ._errors import GuardStoreError as GuardStoreError
from ._errors import LimitExceededError as LimitExceededError
from ._errors import LoopDetectedError as LoopDetectedError
from ._errors import ToolAccessDeniedError as ToolAccessDeniedError
from ._errors import UnpricedModelError as UnpricedModelError
from ._guard import CallInfo as CallInfo
from ._guard import Guard as Guard
from ._guard import GuardMetrics as GuardMetrics
from ._guard import LimitWarning as LimitWarning
from ._history import CallRecord as CallRecord
from ._limits import Limits as Limits
from ._loops import LoopDetection as LoopDetection
from ._loops import LoopEvent as LoopEvent
from ._store import MemoryStore as MemoryStore
from ._tool_loop import acall_with_tools as acall_with_tools
from ._tool_loop import call_with_tools as call_with_tools
from ._tools import ToolAccess as ToolAccess

__all__ = [
    "CallInfo",
    "CallRecord",
    "CallVetoedError",
    "Guard",
    "GuardError",
    "GuardMetrics",
    "GuardStoreError",
    "LimitExceededError",
    "LimitWarning",
    "Limits",
    "LoopDetectedError",
    "LoopDetection",
    "LoopEvent",
    "MemoryStore",
    "ToolAccess",
    "ToolAccessDeniedError",
    "UnpricedModelError",
    "acall_with_tools",
    "call_with_tools",
]

for _name in (
    "CallInfo",
    "CallRecord",
    "Guard",
    "GuardMetrics",
    "LimitWarning",
    "Limits",
    "LoopDetection",
    "LoopEvent",
    "MemoryStore",
    "ToolAccess",
):
    globals()[_name].__module__ = "omnigate_openai"
del _name
