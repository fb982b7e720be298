"""What the local Flow gateway remembers: tokens (that expire on demand), API keys, the catalogue, faults.

Tokens are the point: a test expires every token it handed out (`expire_tokens()`), the client's
next call gets a 401, its `on_auth_token_refresh` callback asks for a fresh one (`issue_token()`),
and the test counts how often that happened (`tokens_issued`).
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from omnigate_openai.testing._calls import CallLog

FaultKind = Literal["respond", "drop", "cut"]
Envelope = Literal["platform", "litellm", "fastapi", "text"]
"""The error shapes the Flow gateway answers with: its platform API's `{"code", "message", "details"}`,
LiteLLM's `{"error": {...}}`, FastAPI's `{"detail": ...}`, or a plain-text body."""

CATALOGUE: Mapping[str, Sequence[str]] = {
    "openai": ("gpt-4o", "gpt-4o-mini", "gpt-5-mini", "gpt-5.5", "text-embedding-3-small"),
    "anthropic": ("claude-sonnet-4-20250514", "claude-haiku-4-20250414"),
    "google": ("gemini-2.0-flash",),
    "mistral": ("mistral-large-latest",),
}
"""The models each provider offers the organisation, named `provider/model` on the wire."""

SCOPES = ("organization", "workspace")


@dataclass
class FlowFault:
    """One scheduled fault: an error in the chosen envelope (`respond`), a connection closed before any
    answer (`drop`), or a stream cut after `after` chunks (`cut`)."""

    kind: FaultKind
    path: str | None
    times: int
    status: int = 0
    message: str = ""
    envelope: Envelope = "platform"
    retry_after: float | None = None
    after: int = 0

    def matches(self, path: str) -> bool:
        return self.path is None or path.endswith(self.path)


class FlowFaults:
    """Errors on demand, in the order they were scheduled; each fires `times` times, then is spent."""

    def __init__(self) -> None:
        self._queue: deque[FlowFault] = deque()
        self._lock = threading.Lock()

    def respond(
        self,
        status: int,
        message: str = "Injected failure",
        *,
        envelope: Envelope = "platform",
        path: str | None = None,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """The next `times` calls (to a path ending in `path`, or any) get `status` with `message`."""
        with self._lock:
            self._queue.append(FlowFault("respond", path, times, status, message, envelope, retry_after))

    def drop_connection(self, *, path: str | None = None, times: int = 1) -> None:
        """The next `times` calls get their connection closed before a status line is written."""
        with self._lock:
            self._queue.append(FlowFault("drop", path, times))

    def cut_stream(
        self, *, after: int = 2, error: str | None = None, status: int = 500, path: str | None = None, times: int = 1
    ) -> None:
        """The next `times` streams stop after `after` chunks: their connection closed mid-body, or, with
        `error`, ended by LiteLLM's in-band failure frame `data: {"error": {"message": error, "code": status}}`."""
        with self._lock:
            self._queue.append(FlowFault("cut", path, times, status, error or "", after=after))

    def take(self, path: str, *, kind: FaultKind) -> FlowFault | None:
        """The first scheduled fault of this kind for `path`, counted as hit."""
        with self._lock:
            for fault in self._queue:
                if fault.kind == kind and fault.matches(path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._queue.remove(fault)
                    return fault
        return None

    @property
    def pending(self) -> list[str]:
        with self._lock:
            return [f"{fault.kind} {fault.status or ''} x{fault.times}" for fault in self._queue]


@dataclass
class FlowGatewayState:
    """Everything the app reads per request; the runner (`LocalFlowGateway`) owns one."""

    workspaces: frozenset[str] = frozenset({"ws-local"})
    calls: CallLog = field(default_factory=CallLog)
    faults: FlowFaults = field(default_factory=FlowFaults)
    _tokens: dict[str, bool] = field(default_factory=dict, repr=False)
    _api_keys: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    tokens_issued: int = 0
    """How many tokens `issue_token()` handed out (the first one included)."""

    def issue_token(self) -> str:
        """A fresh, valid bearer token (what a refresh returns)."""
        token = "flow-jwt-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = True
            self.tokens_issued += 1
        return token

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 401 `Token has expired`."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = False

    def token_status(self, token: str) -> bool | None:
        """True valid, False expired, None unknown."""
        with self._lock:
            return self._tokens.get(token)

    def create_api_key(self) -> str:
        key = "fl_" + secrets.token_urlsafe(24)
        with self._lock:
            self._api_keys.add(key)
        return key

    def knows_api_key(self, key: str) -> bool:
        with self._lock:
            return key in self._api_keys


__all__ = ["CATALOGUE", "SCOPES", "Envelope", "FaultKind", "FlowFault", "FlowFaults", "FlowGatewayState"]
