"""Running the local gateway: `LocalGateway` (a loopback server in a thread) and `run_server` (blocking).

`LocalGateway` runs on `ServerThread` (`_serving.py`): a free loopback port known before the thread
starts, a bounded wait for uvicorn's start and a bounded join on stop.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any

import uvicorn
from typing_extensions import Self

from omnigate_openai.testing._app import create_app
from omnigate_openai.testing._calls import CallLog
from omnigate_openai.testing._faults import Faults
from omnigate_openai.testing._middleware import DroppedConnection
from omnigate_openai.testing._model import Model, Reply
from omnigate_openai.testing._price_book import Provider
from omnigate_openai.testing._serving import STOPPING, ServerThread
from omnigate_openai.testing._state import DEFAULT_REPLY, GatewaySettings, GatewayState

ALL_PROVIDERS: tuple[Provider, ...] = ("openai", "anthropic", "gemini", "azure")

PROVIDER_KEYS: Mapping[Provider, str] = {
    "openai": "sk-local-openai-0000",
    "anthropic": "sk-ant-local-key-0000",
    "gemini": "AIza-local-gemini-key-0000",
    "azure": "local-azure-key-0000",
}
"""The BYOK keys a seeded project gets. Any key works offline, except one starting with `sk-bad`."""

AZURE_META: Mapping[str, str] = {
    "endpoint": "https://local-gateway.openai.azure.com",
    "deployment": "gpt-4o-mini",
    "api_version": "2024-10-21",
}


def _new_admin_key() -> str:
    return "adm_" + secrets.token_urlsafe(24)


def _model(given: Model | Iterable[Reply] | Callable[..., Any] | None) -> Model:
    if given is None:
        return Model()
    if isinstance(given, Model):
        return given
    if callable(given):
        return Model(fallback=given)
    return Model(given)


class _HideDroppedConnections(logging.Filter):
    """uvicorn logs the exception that `faults.drop_connection` raises on purpose, and the cancellation of a
    request still in flight when the gateway stops (`stop()`); nobody needs either traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, asyncio.CancelledError):
            return STOPPING not in str(error)
        return not isinstance(error, DroppedConnection)


_HIDE_DROPS = _HideDroppedConnections()


@dataclass(frozen=True)
class SeededProject:
    """A project made through the state, with its legacy gateway key (as signup would return it)."""

    project_id: uuid.UUID
    org_id: uuid.UUID
    api_key: str = field(repr=False)


class LocalGateway:
    """A faithful local OmniGate 0.2.0 on a loopback port, for code that needs a base URL.

    ``with LocalGateway() as gw:`` gives `gw.base_url` (ending in `/v1`), `gw.api_key` (a legacy key
    of a fresh project whose openai, anthropic, gemini and azure keys are configured), `gw.admin_key`,
    `gw.faults` and `gw.calls`. Options (all keyword-only):

    - `rate_limit_per_min=60`: the seeded project's per-minute chat limit.
    - `daily_budget`, `monthly_budget`, `org_daily_budget`, `org_monthly_budget` (USD, 0 = unlimited).
    - `providers=("openai", "anthropic", "gemini", "azure")`: the BYOK keys the project gets.
    - `seed_project=True`: False starts with no organisation at all (`api_key` is then unavailable).
    - `cache_enabled=False`: the server's `RESPONSE_CACHE_ENABLED` (caches `temperature == 0` calls).
    - `retry_attempts=3`, `backoff_scale=0.0`: the server's retries; 1.0 waits its real backoff.
    - `breaker_threshold=5`, `breaker_cooldown=30.0`: the circuit breaker.
    - `provider_timeout=60.0`: a slow fault at least this long fails as a timeout.
    - `reply="Hello there! How can I help?"`, `stream_delay=0.0` (seconds between deltas).
    - `model`: what the providers answer: a `Model`, a list of scripted replies, or a callable taking a
      `ModelRequest`. By default (and once a script runs out) a schema-aware model that calls the
      tools a prompt offers and answers JSON requests with a valid instance (`gw.model`).
    - `extra_models=()`: model names the providers serve beyond their catalogue (a model of tomorrow:
      it routes by prefix and is billed $0). Any other unknown name gets the provider's 404, as upstream.
    - `clock`: a callable returning an aware datetime, for tests that control time.
    - `admin_key`: the `x-admin-key` to accept (random by default).
    - `strict=True`: on exit, fail if a scheduled fault was never hit.
    - `startup_timeout=5.0`, `shutdown_timeout=5.0`: bounds on waiting for the server thread.

    Also: `gw.root_url` (no `/v1`), `gw.project` (ids of the seeded project), `gw.state` (usage rows,
    organisations, ...), `gw.new_project(...)` for another tenant, and `gw.reset()` to start over
    without restarting the server.
    """

    __test__ = False  # not a test class, whatever pytest's collection rules say

    def __init__(
        self,
        *,
        rate_limit_per_min: int = 60,
        daily_budget: Decimal | float | str = 0,
        monthly_budget: Decimal | float | str = 0,
        org_daily_budget: Decimal | float | str = 0,
        org_monthly_budget: Decimal | float | str = 0,
        providers: Iterable[Provider] = ALL_PROVIDERS,
        seed_project: bool = True,
        cache_enabled: bool = False,
        retry_attempts: int = 3,
        backoff_scale: float = 0.0,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
        provider_timeout: float = 60.0,
        reply: str = DEFAULT_REPLY,
        stream_delay: float = 0.0,
        model: Model | Iterable[Reply] | Callable[..., Any] | None = None,
        extra_models: Iterable[str] = (),
        clock: Callable[[], datetime] | None = None,
        admin_key: str | None = None,
        strict: bool = True,
        startup_timeout: float = 5.0,
        shutdown_timeout: float = 5.0,
    ) -> None:
        self._admin_key = admin_key
        self._settings = GatewaySettings(
            admin_key=admin_key or _new_admin_key(),
            cache_enabled=cache_enabled,
            retry_attempts=retry_attempts,
            backoff_scale=backoff_scale,
            breaker_threshold=breaker_threshold,
            breaker_cooldown=breaker_cooldown,
            provider_timeout=provider_timeout,
            reply=reply,
            stream_delay=stream_delay,
            extra_models=frozenset(extra_models),
        )
        self._clock = clock
        self._seed: dict[str, Any] | None = (
            {
                "rate_limit_per_min": rate_limit_per_min,
                "daily_budget": daily_budget,
                "monthly_budget": monthly_budget,
                "org_daily_budget": org_daily_budget,
                "org_monthly_budget": org_monthly_budget,
                "providers": tuple(providers),
            }
            if seed_project
            else None
        )
        self.strict = strict
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        self._model_option = model if model is None or isinstance(model, Model) or callable(model) else tuple(model)
        self.model = _model(self._model_option)
        """Scripted replies (`gw.model.script(...)`) and what the model was asked (`gw.model.requests`)."""
        self.state = GatewayState(self._settings, clock=clock, model=self.model)
        self.app = create_app(self.state)
        self._project = self._seed_project()
        self._run: ServerThread | None = None

    # -- what a test uses ------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """The server root, e.g. `http://127.0.0.1:54321` (what OmniGate's own SDK calls `base_url`)."""
        if self._run is None:
            raise RuntimeError("The local gateway is not running: use `with LocalGateway() as gw:` or call start()")
        return f"http://127.0.0.1:{self._run.port}"

    @property
    def is_running(self) -> bool:
        """True between `start()` (or entering the `with` block) and `stop()`."""
        return self._run is not None

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, ending in `/v1`."""
        return self.root_url + "/v1"

    @property
    def api_key(self) -> str:
        """The seeded project's legacy gateway key (`llmg_…`)."""
        return self.project.api_key

    @property
    def project(self) -> SeededProject:
        if self._project is None:
            raise RuntimeError("This gateway was started with seed_project=False: create a project first")
        return self._project

    @property
    def admin_key(self) -> str:
        return self._settings.admin_key

    @property
    def faults(self) -> Faults:
        return self.state.faults

    @property
    def calls(self) -> CallLog:
        return self.state.calls

    def new_project(
        self,
        *,
        rate_limit_per_min: int = 60,
        daily_budget: Decimal | float | str = 0,
        monthly_budget: Decimal | float | str = 0,
        org_daily_budget: Decimal | float | str = 0,
        org_monthly_budget: Decimal | float | str = 0,
        providers: Iterable[Provider] = ALL_PROVIDERS,
    ) -> SeededProject:
        """Another organisation and project (with BYOK keys), for tests that need more than one tenant."""
        org = self.state.create_org("local-org", daily_budget=org_daily_budget, monthly_budget=org_monthly_budget)
        project, key = self.state.create_project(
            org.id,
            "local-project",
            daily_budget=daily_budget,
            monthly_budget=monthly_budget,
            rate_limit_per_min=rate_limit_per_min,
        )
        for provider in providers:
            meta = dict(AZURE_META) if provider == "azure" else None
            self.state.set_provider_key(project.id, provider, PROVIDER_KEYS[provider], meta)
        return SeededProject(project.id, org.id, key)

    def reset(self) -> None:
        """Become what a new `LocalGateway` with the same options would be, without restarting the server.

        Orgs, projects, gateway and provider keys, usage (so metrics and budgets), the call log,
        faults, the breaker, the response cache and the rate-limit windows live in the state, which is
        replaced; the seeded project and (unless `admin_key=` was given) the admin key are new; the model
        is rebuilt from the option, its script restored. A `Model` you passed is yours: it is emptied
        instead. Requests still in flight finish against the old state, unseen. Only the port stays.
        """
        if self._admin_key is None:
            self._settings = replace(self._settings, admin_key=_new_admin_key())
        if isinstance(self._model_option, Model):
            self.model.reset()
        else:
            self.model = _model(self._model_option)
        self.state = GatewayState(self._settings, clock=self._clock, model=self.model)
        self.app.state.gateway = self.state
        self._project = self._seed_project()

    def _seed_project(self) -> SeededProject | None:
        return None if self._seed is None else self.new_project(**self._seed)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._run is not None:
            raise RuntimeError("The local gateway is already running")
        logging.getLogger("uvicorn.error").addFilter(_HIDE_DROPS)
        run = ServerThread(self.app, name="omnigate-local-gateway", what="local gateway")
        run.start(startup_timeout=self.startup_timeout, shutdown_timeout=self.shutdown_timeout)
        self._run = run

    def stop(self) -> None:
        """Idempotent; waits at most `shutdown_timeout` seconds, then forces the server down."""
        run, self._run = self._run, None
        if run is not None:
            run.stop(shutdown_timeout=self.shutdown_timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        pending = self.faults.pending
        if self.strict and exc_type is None and pending:
            raise AssertionError(f"Faults were scheduled on the local gateway but never hit: {', '.join(pending)}")

    def __repr__(self) -> str:
        where = self.root_url if self._run is not None else "stopped"
        return f"<LocalGateway {where}>"


def run_server(
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    show_keys: bool = False,
    announce: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Serve a local gateway until interrupted (what `omnigate-openai serve` runs).

    The port is bound before anything is announced, so a busy port raises `OSError` first and
    port 0 announces the port it got. `announce` receives `base_url`, `root_url`, `port` and, with
    `show_keys`, `api_key` and `admin_key` (secrets, even on a local gateway); by default it prints.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family)
    bound = int(listener.getsockname()[1])
    gateway = LocalGateway()
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    facts: dict[str, Any] = {
        "base_url": f"http://{shown}:{bound}/v1",
        "root_url": f"http://{shown}:{bound}",
        "port": bound,
    }
    if show_keys:
        facts.update(api_key=gateway.api_key, admin_key=gateway.admin_key)
    (announce or _print_facts)(facts)
    config = uvicorn.Config(gateway.app, log_level="info", lifespan="off")
    uvicorn.Server(config).run(sockets=[listener])


def _print_facts(facts: Mapping[str, Any]) -> None:
    print(f"OmniGate local gateway on {facts['base_url']}")
    for name in ("api_key", "admin_key"):
        if name in facts:
            print(f"  {name.replace('_', ' ')}: {facts[name]}")


__all__ = ["ALL_PROVIDERS", "AZURE_META", "PROVIDER_KEYS", "LocalGateway", "SeededProject", "run_server"]
