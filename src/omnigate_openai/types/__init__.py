"""Typed answers of OmniGate's gateway-only endpoints (`client.gateway.*`), like `openai.types`.

Public as `omnigate_openai.types`, which the README documents; they live in the OmniGate package
(`omnigate_openai.omnigate.types`) with the resources that return them.
"""

from __future__ import annotations

from ..omnigate.types.account import Me as Me
from ..omnigate.types.account import Signup as Signup
from ..omnigate.types.admin import CreatedProject as CreatedProject
from ..omnigate.types.admin import Org as Org
from ..omnigate.types.admin import Project as Project
from ..omnigate.types.api_keys import ApiKey as ApiKey
from ..omnigate.types.api_keys import CreatedApiKey as CreatedApiKey
from ..omnigate.types.health import Health as Health
from ..omnigate.types.health import Liveness as Liveness
from ..omnigate.types.health import Readiness as Readiness
from ..omnigate.types.health import Version as Version
from ..omnigate.types.metrics import Granularity as Granularity
from ..omnigate.types.metrics import GroupBy as GroupBy
from ..omnigate.types.metrics import MetricsBreakdownRow as MetricsBreakdownRow
from ..omnigate.types.metrics import MetricsRange as MetricsRange
from ..omnigate.types.metrics import MetricsResponse as MetricsResponse
from ..omnigate.types.metrics import MetricsTimePoint as MetricsTimePoint
from ..omnigate.types.metrics import MetricsTotals as MetricsTotals
from ..omnigate.types.models import ModelInfo as ModelInfo
from ..omnigate.types.models import ModelPricing as ModelPricing

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
