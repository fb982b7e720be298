"""Gateway keys of a project (`/v1/keys/api`)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from ._base import GatewayModel

__all__ = ["ApiKey", "CreatedApiKey"]


class ApiKey(GatewayModel):
    """A named gateway key, without its secret."""

    id: str
    name: str
    key_prefix: str
    """The first 12 characters of the key: enough to recognise it, useless to an attacker."""

    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    """Set once the key is revoked; revoked keys stay listed."""

    @property
    def revoked(self) -> bool:
        """Whether the key no longer authenticates."""
        return self.revoked_at is not None


class CreatedApiKey(ApiKey):
    """A key just created. `api_key` is its secret, shown this once and masked in `repr()`."""

    _secret_fields: ClassVar[tuple[str, ...]] = ("api_key",)

    api_key: str
    """The plaintext key (`llmg_…`): store it now, the gateway keeps only its hash."""
