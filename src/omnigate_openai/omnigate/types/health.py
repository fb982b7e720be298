"""The gateway's unauthenticated health and version endpoints."""

from __future__ import annotations

from pydantic import Field

from ._base import GatewayModel

__all__ = ["Health", "Liveness", "Readiness", "Version"]


class Health(GatewayModel):
    """`GET /health`: the process is up."""

    status: str
    """`ok`."""

    version: str


class Liveness(GatewayModel):
    """`GET /health/live`."""

    status: str
    """`alive`."""


class Readiness(GatewayModel):
    """`GET /health/ready`: whether the gateway's database and Redis answer."""

    status: str
    """`ready` or `not_ready`."""

    checks: dict[str, str] = Field(default_factory=dict)
    """Per dependency: `ok`, or `error: …`."""

    @property
    def ready(self) -> bool:
        """True when every dependency answered."""
        return self.status == "ready"


class Version(GatewayModel):
    """`GET /version`."""

    name: str
    """`omnigate` (older builds say `llm-gateway`)."""

    version: str
