"""Typed answers of the gateway-only endpoints (`client.gateway.*`), like `openai.types`."""

from __future__ import annotations

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
