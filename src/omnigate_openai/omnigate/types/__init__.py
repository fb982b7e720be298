"""Typed answers of the gateway-only endpoints (`client.gateway.*`), like `openai.types`.

Each loads with its first use (`from omnigate_openai.omnigate.types import Me`, or the resource that
returns it), not with `import omnigate_openai`: a plain chat call needs none of them, and importing
them all costs a third of the package's import time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .account import Me as Me
    from .account import Signup as Signup
    from .admin import CreatedProject as CreatedProject
    from .admin import Org as Org
    from .admin import Project as Project
    from .api_keys import ApiKey as ApiKey
    from .api_keys import CreatedApiKey as CreatedApiKey
    from .health import Health as Health
    from .health import Liveness as Liveness
    from .health import Readiness as Readiness
    from .health import Version as Version
    from .metrics import Granularity as Granularity
    from .metrics import GroupBy as GroupBy
    from .metrics import MetricsBreakdownRow as MetricsBreakdownRow
    from .metrics import MetricsRange as MetricsRange
    from .metrics import MetricsResponse as MetricsResponse
    from .metrics import MetricsTimePoint as MetricsTimePoint
    from .metrics import MetricsTotals as MetricsTotals
    from .models import ModelInfo as ModelInfo
    from .models import ModelPricing as ModelPricing

__all__ = [
    "ApiKey",
    "CreatedApiKey",
    "CreatedProject",
    "Granularity",
    "GroupBy",
    "Health",
    "Liveness",
    "Me",
    "MetricsBreakdownRow",
    "MetricsRange",
    "MetricsResponse",
    "MetricsTimePoint",
    "MetricsTotals",
    "ModelInfo",
    "ModelPricing",
    "Org",
    "Project",
    "Readiness",
    "Signup",
    "Version",
]

_MODULES = {
    "Me": "account",
    "Signup": "account",
    "CreatedProject": "admin",
    "Org": "admin",
    "Project": "admin",
    "ApiKey": "api_keys",
    "CreatedApiKey": "api_keys",
    "Health": "health",
    "Liveness": "health",
    "Readiness": "health",
    "Version": "health",
    "Granularity": "metrics",
    "GroupBy": "metrics",
    "MetricsBreakdownRow": "metrics",
    "MetricsRange": "metrics",
    "MetricsResponse": "metrics",
    "MetricsTimePoint": "metrics",
    "MetricsTotals": "metrics",
    "ModelInfo": "models",
    "ModelPricing": "models",
}
"""The module each name lives in."""

_SUBMODULES = frozenset(_MODULES.values())


if not TYPE_CHECKING:  # a type checker reads a module `__getattr__` as "any name is there": it sees the imports above

    def __getattr__(name: str) -> object:
        if name in _SUBMODULES:  # as when they loaded with the package: `types.metrics.MetricsResponse`
            return importlib.import_module(f"{__name__}.{name}")  # the import sets it here from now on
        module = _MODULES.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value: object = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value  # found directly from now on
        return value


def __dir__() -> list[str]:
    # The types and their modules are listed before their first use, for completion in editors and REPLs.
    return sorted({*globals(), *__all__, *_SUBMODULES})
