"""The official `openai` SDK, pointed at an OmniGate gateway: change one import.

from omnigate_openai import OpenAI      # was: from openai import OpenAI
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._client import AsyncOpenAI as AsyncOpenAI
from ._client import OpenAI as OpenAI
from ._exceptions import APIError as APIError
from ._exceptions import AuthError as AuthError
from ._exceptions import BudgetExceededError as BudgetExceededError
from ._exceptions import ConfigurationError as ConfigurationError
from ._exceptions import ConnectionError as ConnectionError
from ._exceptions import GatewayAuthError as GatewayAuthError
from ._exceptions import GatewayClientError as GatewayClientError
from ._exceptions import GatewayError as GatewayError
from ._exceptions import GatewayModelNotFoundError as GatewayModelNotFoundError
from ._exceptions import GatewayProviderError as GatewayProviderError
from ._exceptions import GatewayRateLimitError as GatewayRateLimitError
from ._exceptions import InvalidResponseError as InvalidResponseError
from ._exceptions import ModelNotFoundError as ModelNotFoundError
from ._exceptions import ModelOutputError as ModelOutputError
from ._exceptions import ProviderError as ProviderError
from ._exceptions import RateLimitError as RateLimitError
from ._exceptions import RedirectRefusedError as RedirectRefusedError
from ._exceptions import UnknownResponseError as UnknownResponseError
from ._exceptions import UnsupportedFeatureError as UnsupportedFeatureError
from ._meta import BudgetStatus as BudgetStatus
from ._meta import GatewayMeta as GatewayMeta
from ._meta import RateLimitStatus as RateLimitStatus
from ._meta import meta as meta
from ._response_store import MemoryResponseStore as MemoryResponseStore
from ._response_store import ResponseStore as ResponseStore
from .omnigate._native import Routing as Routing

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "AsyncNativeChatStream",
    "AsyncOpenAI",
    "AuthError",
    "BudgetExceededError",
    "BudgetStatus",
    "CallInfo",
    "CallRecord",
    "CallVetoedError",
    "ConfigurationError",
    "ConnectionError",
    "GatewayAuthError",
    "GatewayClientError",
    "GatewayError",
    "GatewayMeta",
    "GatewayModelNotFoundError",
    "GatewayProviderError",
    "GatewayRateLimitError",
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
    "MemoryResponseStore",
    "InvalidResponseError",
    "ModelNotFoundError",
    "ModelOutputError",
    "ModelRoute",
    "NativeChatStream",
    "OpenAI",
    "ProviderError",
    "RateLimitError",
    "RateLimitStatus",
    "ResponseStore",
    "RedirectRefusedError",
    "Routing",
    "ToolAccess",
    "ToolAccessDeniedError",
    "UnpricedModelError",
    "StoredResponse",
    "UnknownResponseError",
    "UnsupportedFeatureError",
    "__version__",
    "acall_with_tools",
    "call_with_tools",
    "meta",
    "patch_openai",
    "signup",
    "unpatch_openai",
]

for _name in (
    "GatewayMeta",
    "BudgetStatus",
    "RateLimitStatus",
    "OpenAI",
    "AsyncOpenAI",
    "Routing",
    "MemoryResponseStore",
    "UnknownResponseError",
):
    globals()[_name].__module__ = __name__
del _name


if TYPE_CHECKING:
    from ._stored_response import StoredResponse as StoredResponse
    from .guard import CallInfo as CallInfo
    from .guard import CallRecord as CallRecord
    from .guard import CallVetoedError as CallVetoedError
    from .guard import Guard as Guard
    from .guard import GuardError as GuardError
    from .guard import GuardMetrics as GuardMetrics
    from .guard import GuardStoreError as GuardStoreError
    from .guard import LimitExceededError as LimitExceededError
    from .guard import Limits as Limits
    from .guard import LimitWarning as LimitWarning
    from .guard import LoopDetectedError as LoopDetectedError
    from .guard import LoopDetection as LoopDetection
    from .guard import LoopEvent as LoopEvent
    from .guard import MemoryStore as MemoryStore
    from .guard import ToolAccess as ToolAccess
    from .guard import ToolAccessDeniedError as ToolAccessDeniedError
    from .guard import UnpricedModelError as UnpricedModelError
    from .guard import acall_with_tools as acall_with_tools
    from .guard import call_with_tools as call_with_tools
    from .integrations.patch import patch_openai as patch_openai
    from .integrations.patch import unpatch_openai as unpatch_openai
    from .omnigate._model_route import ModelRoute as ModelRoute
    from .omnigate._signup import signup as signup
    from .omnigate._streams import AsyncNativeChatStream as AsyncNativeChatStream
    from .omnigate._streams import NativeChatStream as NativeChatStream

_HOMES = {
    "AsyncNativeChatStream": ".omnigate._streams",
    "ModelRoute": ".omnigate._model_route",
    "NativeChatStream": ".omnigate._streams",
    "StoredResponse": "._stored_response",
    "patch_openai": ".integrations.patch",
    "signup": ".omnigate._signup",
    "unpatch_openai": ".integrations.patch",
}
"""The module of each name that loads on first use (each costs `import omnigate_openai` a millisecond or so)."""


if not TYPE_CHECKING:  # a type checker reads a module `__getattr__` as "any name is there": it sees the imports above

    def __getattr__(name: str) -> object:
        # The gateway-only sign-up and routes, native streams, stored responses, the patch and the guard package
        # load on first use, not with `import omnigate_openai` (a name this module lacks loads the guard too, to
        # look there, then fails as usual).
        home = _HOMES.get(name)
        if home is not None:  # not `from . import`: that asks this hook again
            found: object = getattr(importlib.import_module(home, __name__), name)
            globals()[name] = found  # found directly from now on
            return found
        if not name.startswith("__"):
            guard = importlib.import_module(f"{__name__}.guard")
            if name == "guard":
                return guard
            if name in guard.__all__:
                value: object = getattr(guard, name)
                globals()[name] = value
                return value
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    # The names that load on first use are listed before it, for completion in editors and REPLs.
    return sorted({*globals(), *__all__})
