"""`LocalFlowGateway`: a local Flow / Manifest platform AI gateway on a loopback port, in a thread.

    from omnigate_openai.testing import LocalFlowGateway

    with LocalFlowGateway() as gw:
        client = flow.OpenAI(base_url=gw.base_url, auth_token=gw.auth_token,
                             on_auth_token_refresh=gw.issue_token)
        gw.expire_tokens()          # the next call gets a 401, refreshes once and retries
        gw.faults.respond(429, "Slow down", envelope="litellm", retry_after=0)

Like `LocalGateway` it runs on `ServerThread` (`_serving.py`): a loopback port of its own, bounded
waits to start and to stop. It shares nothing with the client's Flow code: its wire shapes are written
from the platform's published docs and OpenAI's, separately.
"""

from __future__ import annotations

import logging
from types import TracebackType

from typing_extensions import Self

from omnigate_openai.testing._calls import CallLog
from omnigate_openai.testing._flow_app import PREFIX, ConnectionDropper, StreamCut, create_flow_app
from omnigate_openai.testing._flow_state import FlowFaults, FlowGatewayState
from omnigate_openai.testing._serving import ServerThread


class _HideStreamCuts(logging.Filter):
    """uvicorn logs the exception that `faults.cut_stream` raises on purpose; nobody needs that."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], StreamCut))


_HIDE_CUTS = _HideStreamCuts()


class LocalFlowGateway:
    """The local Flow gateway. `base_url` is the platform's root (what `PLATFORM_API_URL` holds).

    `auth_token` is a valid bearer token, `api_key` a valid `fl_` key, `workspace_id` a workspace the
    credentials may use. Options: `strict=True` fails the `with` block when a scheduled fault was
    never hit; `startup_timeout` and `shutdown_timeout` bound the waits on the server thread.
    """

    __test__ = False

    def __init__(self, *, strict: bool = True, startup_timeout: float = 5.0, shutdown_timeout: float = 5.0) -> None:
        self.state = FlowGatewayState()
        self.app = create_flow_app(self.state)
        self.strict = strict
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        self.auth_token = self.state.issue_token()
        self.api_key = self.state.create_api_key()
        self.workspace_id = next(iter(self.state.workspaces))
        self._run: ServerThread | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`: the platform root; the OpenAI-compatible API is at `gateway_url`."""
        if self._run is None:
            raise RuntimeError("The local Flow gateway is not running: use it in a `with` block")
        return f"http://127.0.0.1:{self._run.port}"

    @property
    def gateway_url(self) -> str:
        """The OpenAI-compatible base URL (`<base_url>/api/v1/gateway/v1`), for a plain `openai.OpenAI`."""
        return f"{self.base_url}{PREFIX}/v1"

    @property
    def faults(self) -> FlowFaults:
        return self.state.faults

    @property
    def calls(self) -> CallLog:
        return self.state.calls

    @property
    def tokens_issued(self) -> int:
        """Tokens handed out so far, the initial `auth_token` included: refreshes = this - 1."""
        return self.state.tokens_issued

    def issue_token(self) -> str:
        """A fresh valid token: pass this method as the client's `on_auth_token_refresh`."""
        return self.state.issue_token()

    def expire_tokens(self) -> None:
        """Every token issued so far now gets 401 `Token has expired`."""
        self.state.expire_tokens()

    def start(self) -> None:
        if self._run is not None:
            raise RuntimeError("The local Flow gateway is already running")
        logging.getLogger("uvicorn.error").addFilter(_HIDE_CUTS)
        app = ConnectionDropper(self.app)
        run = ServerThread(app, name="flow-local-gateway", what="local Flow gateway", http="h11")
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
            raise AssertionError(f"Faults were scheduled on the local Flow gateway but never hit: {', '.join(pending)}")

    def __repr__(self) -> str:
        return f"<LocalFlowGateway {self.base_url if self._run is not None else 'stopped'}>"


__all__ = ["LocalFlowGateway"]
