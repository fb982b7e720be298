"""The gateway's database and Redis, in memory: organisations, projects, keys, usage, counters.

One `GatewayState` is one server. Handlers run on the server's event loop while a test thread reads
usage and schedules faults, so every mutation that both sides touch takes the lock.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Literal

from omnigate_openai.omnigate._pricing import Provider
from omnigate_openai.testing._breaker import CircuitBreaker
from omnigate_openai.testing._calls import CallLog
from omnigate_openai.testing._faults import Faults

UsageStatus = Literal["ok", "error", "cache_hit", "incomplete"]
Clock = Callable[[], datetime]

DEFAULT_REPLY = "Hello there! How can I help?"
"""What the recorded providers answered to every healthy request."""

_BUDGET_PLACES = Decimal("0.0001")


def utc_now() -> datetime:
    """The real clock; tests that need a fixed or shifted time pass their own `clock`."""
    return datetime.now(timezone.utc)


def new_gateway_key() -> str:
    """A gateway key as signup and key creation make them: `llmg_` + `token_urlsafe(32)`."""
    return "llmg_" + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """The server stores only the SHA-256 of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def as_budget(value: Decimal | float | str | int) -> Decimal:
    """Budgets live in a `Numeric(12,4)` column: four places, rendered as strings."""
    return Decimal(str(value)).quantize(_BUDGET_PLACES)


@dataclass
class Org:
    """An organisation: the owner of projects and of the org-wide budgets."""

    id: uuid.UUID
    name: str
    daily_budget: Decimal
    monthly_budget: Decimal
    created_at: datetime


@dataclass
class Project:
    """A project: the unit of rate limiting, BYOK keys and gateway keys."""

    id: uuid.UUID
    org_id: uuid.UUID
    name: str
    key_prefix: str
    key_hash: str = field(repr=False)
    daily_budget: Decimal
    monthly_budget: Decimal
    rate_limit_per_min: int
    created_at: datetime


@dataclass
class ApiKey:
    """A named gateway key from `POST /v1/keys/api` (legacy keys live on the project instead)."""

    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    key_prefix: str
    key_hash: str = field(repr=False)
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class ProviderCredential:
    """A BYOK provider key; the secret never appears in a repr."""

    api_key: str = field(repr=False)
    meta: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class UsageRecord:
    """One row of `usage_records`: what `/v1/metrics` and the budgets are computed from."""

    request_id: str
    project_id: uuid.UUID
    org_id: uuid.UUID
    user_id: str | None
    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal
    latency_ms: int
    status: UsageStatus
    created_at: datetime

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class AuthContext:
    """Who is calling: the project and org a gateway key resolved to."""

    project: Project
    org: Org
    api_key_id: uuid.UUID | None


@dataclass(frozen=True)
class GatewaySettings:
    """The server's environment: the knobs a test may turn (see `LocalGateway` for each one)."""

    admin_key: str = field(repr=False)
    cache_enabled: bool = False
    retry_attempts: int = 3
    backoff_scale: float = 0.0
    breaker_threshold: int = 5
    breaker_cooldown: float = 30.0
    provider_timeout: float = 60.0
    cache_ttl: float = 300.0
    reply: str = DEFAULT_REPLY
    stream_delay: float = 0.0


@dataclass(frozen=True)
class CachedAnswer:
    """A stored `ChatResponse` body and when it stops being served."""

    body: Mapping[str, Any]
    expires_at: float


class GatewayState:
    """Everything one gateway remembers. Public so tests can read usage or seed organisations."""

    def __init__(self, settings: GatewaySettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or utc_now
        self.orgs: dict[uuid.UUID, Org] = {}
        self.projects: dict[uuid.UUID, Project] = {}
        self.api_keys: dict[uuid.UUID, ApiKey] = {}
        self.provider_keys: dict[uuid.UUID, dict[Provider, ProviderCredential]] = {}
        self.usage: list[UsageRecord] = []
        self.response_cache: dict[str, CachedAnswer] = {}
        self.breaker = CircuitBreaker(
            threshold=settings.breaker_threshold, cooldown=settings.breaker_cooldown, clock=self.clock
        )
        self.faults = Faults(self.breaker)
        self.calls = CallLog()
        self._rate_windows: dict[tuple[uuid.UUID, str], int] = {}
        self._legacy_keys: dict[str, uuid.UUID] = {}
        self._named_keys: dict[str, uuid.UUID] = {}
        self.lock = threading.RLock()

    def now(self) -> datetime:
        return self.clock()

    # -- organisations and projects ------------------------------------------------------------

    def create_org(
        self, name: str, *, daily_budget: Decimal | float | str = 0, monthly_budget: Decimal | float | str = 0
    ) -> Org:
        org = Org(uuid.uuid4(), name, as_budget(daily_budget), as_budget(monthly_budget), self.now())
        with self.lock:
            self.orgs[org.id] = org
        return org

    def create_project(
        self,
        org_id: uuid.UUID,
        name: str,
        *,
        daily_budget: Decimal | float | str = 0,
        monthly_budget: Decimal | float | str = 0,
        rate_limit_per_min: int = 60,
    ) -> tuple[Project, str]:
        """A project with its legacy key, as signup and `POST /v1/admin/projects` make one."""
        key = new_gateway_key()
        project = Project(
            id=uuid.uuid4(),
            org_id=org_id,
            name=name,
            key_prefix=key[:12],
            key_hash=key_hash(key),
            daily_budget=as_budget(daily_budget),
            monthly_budget=as_budget(monthly_budget),
            rate_limit_per_min=rate_limit_per_min,
            created_at=self.now(),
        )
        with self.lock:
            self.projects[project.id] = project
            self._legacy_keys[project.key_hash] = project.id
        return project, key

    def signup(self, email: str, org_name: str | None, project_name: str) -> tuple[Org, Project, str]:
        org = self.create_org(org_name or email)
        project, key = self.create_project(org.id, project_name)
        return org, project, key

    # -- gateway keys --------------------------------------------------------------------------

    def authenticate(self, key: str) -> AuthContext | None:
        """Named keys first (revoked ones never match), then the projects' legacy keys."""
        digest = key_hash(key)
        with self.lock:
            key_id = self._named_keys.get(digest)
            if key_id is not None:
                api_key = self.api_keys[key_id]
                if api_key.revoked_at is None:
                    api_key.last_used_at = self.now()
                    return self._context(api_key.project_id, api_key.id)
            project_id = self._legacy_keys.get(digest)
            return None if project_id is None else self._context(project_id, None)

    def _context(self, project_id: uuid.UUID, api_key_id: uuid.UUID | None) -> AuthContext:
        project = self.projects[project_id]
        return AuthContext(project, self.orgs[project.org_id], api_key_id)

    def create_api_key(self, project_id: uuid.UUID, name: str) -> tuple[ApiKey, str]:
        key = new_gateway_key()
        api_key = ApiKey(uuid.uuid4(), project_id, name, key[:12], key_hash(key), self.now())
        with self.lock:
            self.api_keys[api_key.id] = api_key
            self._named_keys[api_key.key_hash] = api_key.id
        return api_key, key

    def list_api_keys(self, project_id: uuid.UUID) -> list[ApiKey]:
        with self.lock:
            return [k for k in self.api_keys.values() if k.project_id == project_id]

    def revoke_api_key(self, project_id: uuid.UUID, key_id: uuid.UUID) -> bool:
        """Soft and idempotent; another project's key is reported as not found."""
        with self.lock:
            api_key = self.api_keys.get(key_id)
            if api_key is None or api_key.project_id != project_id:
                return False
            if api_key.revoked_at is None:
                api_key.revoked_at = self.now()
            return True

    # -- provider keys -------------------------------------------------------------------------

    def set_provider_key(
        self, project_id: uuid.UUID, provider: Provider, api_key: str, meta: Mapping[str, Any] | None = None
    ) -> None:
        """An upsert per (project, provider); `meta` is replaced each time."""
        with self.lock:
            self.provider_keys.setdefault(project_id, {})[provider] = ProviderCredential(api_key, meta)

    def provider_key(self, project_id: uuid.UUID, provider: Provider) -> ProviderCredential | None:
        with self.lock:
            return self.provider_keys.get(project_id, {}).get(provider)

    def configured_providers(self, project_id: uuid.UUID) -> list[str]:
        with self.lock:
            return list(self.provider_keys.get(project_id, {}))

    # -- rate limit, spend and usage -----------------------------------------------------------

    def count_request(self, project_id: uuid.UUID, now: datetime) -> int:
        """INCR on `ratelimit:{project}:{YYYYMMDDHHMM}`: the count including this request."""
        window = (project_id, now.strftime("%Y%m%d%H%M"))
        with self.lock:
            self._rate_windows[window] = self._rate_windows.get(window, 0) + 1
            return self._rate_windows[window]

    def spend(
        self, *, since: datetime, project_id: uuid.UUID | None = None, org_id: uuid.UUID | None = None
    ) -> Decimal:
        with self.lock:
            rows = list(self.usage)
        return sum(
            (
                r.cost
                for r in rows
                if r.created_at >= since
                and (project_id is None or r.project_id == project_id)
                and (org_id is None or r.org_id == org_id)
            ),
            Decimal(0),
        )

    def record_usage(self, record: UsageRecord) -> None:
        with self.lock:
            self.usage.append(record)

    def usage_for(self, *, project_id: uuid.UUID | None = None, org_id: uuid.UUID | None = None) -> list[UsageRecord]:
        with self.lock:
            return [
                r
                for r in self.usage
                if (project_id is None or r.project_id == project_id) and (org_id is None or r.org_id == org_id)
            ]


__all__ = [
    "DEFAULT_REPLY",
    "ApiKey",
    "AuthContext",
    "CachedAnswer",
    "Clock",
    "GatewaySettings",
    "GatewayState",
    "Org",
    "Project",
    "ProviderCredential",
    "UsageRecord",
    "UsageStatus",
    "as_budget",
    "key_hash",
    "new_gateway_key",
    "utc_now",
]
