"""Typed answers of OmniGate's gateway-only endpoints (`client.gateway.*`), like `openai.types`.

Public as `omnigate_openai.types`, which the README documents; they live in the OmniGate package
(`omnigate_openai.omnigate.types`) with the resources that return them.
"""

from __future__ import annotations

from ..omnigate.types import *  # noqa: F403  (the same names, one list of them)
from ..omnigate.types import __all__ as __all__
