"""The gateway-only resources mounted at `client.gateway` (sync and async twins, side by side)."""

from __future__ import annotations

from .gateway import AsyncGateway as AsyncGateway
from .gateway import Gateway as Gateway

__all__ = ["AsyncGateway", "Gateway"]
