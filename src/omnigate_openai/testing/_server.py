"""Running the local gateway: `LocalGateway` (a loopback server in a thread) and `run_server` (blocking).

`LocalGateway` binds `127.0.0.1:0` itself, so the port is known before the server thread starts; it
waits for uvicorn's `started` with a timeout and stops it through `should_exit` with a bounded join.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
import threading
import time
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


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `condition` until it holds; a TimeoutError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def _loopback_listener() -> socket.socket:
    """A listening socket on a free loopback port, made so its connections get `TCP_NODELAY`.

    asyncio only sets `TCP_NODELAY` on sockets whose `proto` is `IPPROTO_TCP`; `socket.create_server`
    leaves it 0, and then every answer written in two pieces waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    return sock


_STOPPING = "The local gateway is stopping"


class _PromptServer(uvicorn.Server):
    """uvicorn's server, woken as soon as a stop is requested instead of at its next 0.1 s tick."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, polling every 5 ms where uvicorn sleeps in 0.1 s steps (lifespan is off)."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 1)
        state = self.server_state
        while (state.connections or state.tasks) and not self.force_exit and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in state.tasks:
            task.cancel(msg=_STOPPING)
        for server in self.servers:
            with contextlib.suppress(asyncio.TimeoutError):  # 3.12+ waits for every connection to go
                await asyncio.wait_for(server.wait_closed(), 1)

    def request_exit(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already finished
                loop.call_soon_threadsafe(wake.set)


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
            return _STOPPING not in str(error)
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
        self._server: _PromptServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None

    # -- what a test uses ------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """The server root, e.g. `http://127.0.0.1:54321` (what OmniGate's own SDK calls `base_url`)."""
        if self._port is None:
            raise RuntimeError("The local gateway is not running: use `with LocalGateway() as gw:` or call start()")
        return f"http://127.0.0.1:{self._port}"

    @property
    def is_running(self) -> bool:
        """True between `start()` (or entering the `with` block) and `stop()`."""
        return self._port is not None

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
        if self._thread is not None:
            raise RuntimeError("The local gateway is already running")
        logging.getLogger("uvicorn.error").addFilter(_HIDE_DROPS)
        sock = _loopback_listener()
        config = uvicorn.Config(
            self.app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = _PromptServer(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="omnigate-local-gateway", daemon=True
        )
        self._socket, self._server, self._thread = sock, server, thread
        self._port = sock.getsockname()[1]
        thread.start()
        try:
            wait_for(
                lambda: server.started or not thread.is_alive(),
                timeout=self.startup_timeout,
                what="local gateway startup",
            )
            if not server.started:
                raise RuntimeError("The local gateway's server thread exited during startup")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Idempotent; waits at most `shutdown_timeout` seconds, then forces the server down."""
        server, thread, sock = self._server, self._thread, self._socket
        self._server = self._thread = self._socket = None
        self._port = None
        if server is not None and thread is not None:
            server.request_exit()
            thread.join(self.shutdown_timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(self.shutdown_timeout)
        if sock is not None:
            sock.close()

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
        where = self.root_url if self._port is not None else "stopped"
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


__all__ = ["ALL_PROVIDERS", "AZURE_META", "PROVIDER_KEYS", "LocalGateway", "SeededProject", "run_server", "wait_for"]
