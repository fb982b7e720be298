"""`flow.OpenAI` / `flow.AsyncOpenAI`: the package's clients with the Flow profile, and Flow's arguments.

Subclasses rather than a `profile=` argument: a Flow client is configured differently (a platform
URL, a token and its refresh callback, an API key, a workspace), `isinstance(client, flow.OpenAI)`
says which gateway a client talks to, its type checks name Flow's arguments, and `copy()` keeps the
class, so copies stay Flow clients. Every hook is the core's, asking `FLOW` (`_profile.py`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar, cast

from typing_extensions import override

from .. import _client
from .._config import check_header_value
from .._exceptions import ConfigurationError, UnsupportedFeatureError
from .._profile import GatewayProfile
from .._sdk import httpx
from ._profile import FLOW
from ._settings import FlowSettings
from ._token import TokenRefresh, refuse_coroutine_refresh

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .resources import AsyncFlowGateway, FlowGateway

__all__ = ["AsyncOpenAI", "OpenAI"]


def _refuse_omnigate_options(options: dict[str, Any]) -> None:
    """The core's OmniGate-only arguments would be dropped silently here; say so instead."""
    for name in ("user_id", "admin_key"):
        if options.pop(name, None) is not None:
            raise ConfigurationError(
                f"The Flow gateway has no `{name}` (OmniGate's): it would be dropped, so it is refused; "
                "attribute calls with `workspace_id=` or the body's `user` field"
            )


def _settings_for(
    explicit: Any,
    *,
    base_url: str | httpx.URL | None,
    auth_token: str | None,
    api_key: str | None,
    workspace_id: str | None,
    request_id: str | None,
    on_auth_token_refresh: TokenRefresh | None,
) -> FlowSettings:
    if isinstance(explicit, FlowSettings):  # a copy: the SDK passes the parsed URL and a placeholder key
        return explicit
    if explicit is not None:
        raise ConfigurationError(f"Expected FlowSettings, got {type(explicit).__name__}")
    return FlowSettings.resolve_flow(
        profile=FLOW,
        base_url=None if base_url is None else str(base_url),
        auth_token=auth_token,
        api_key=api_key,
        workspace_id=workspace_id,
        request_id=request_id,
        on_auth_token_refresh=on_auth_token_refresh,
    )


_NO_SYNC_TWIN = (
    "a sync twin of this `flow.AsyncOpenAI` could not call it at its first 401; build the `flow.OpenAI` yourself "
    "with a plain function as `on_auth_token_refresh` and pass both clients (e.g. `client=` and `async_client=`)"
)


class _FlowClient:
    """What both Flow clients add to the core ones; nothing here awaits."""

    settings: FlowSettings

    @property
    def auth_refreshes(self) -> int:
        """How many times the platform token was renewed (by this client and its copies)."""
        token = self.settings.token
        return 0 if token is None else token.refreshes

    def with_workspace(self, workspace_id: str | None) -> Any:
        """A copy whose calls carry `X-Workspace-ID: workspace_id` (None: none), sharing the pool and the token."""
        checked = None if workspace_id is None else check_header_value("workspace_id", workspace_id)
        return cast(Any, self)._copy_with(dataclasses.replace(self.settings, workspace_id=checked))

    def with_routing(self, *, fallbacks: Sequence[str] = (), cache: bool | None = None) -> Any:  # noqa: ARG002
        """Refused: fallbacks and the response cache are OmniGate's; Flow routes inside the platform."""
        raise UnsupportedFeatureError(
            "The Flow gateway has no client-chosen fallbacks or response cache (`with_routing`)", field="with_routing"
        )

    def with_user(self, user_id: str | None) -> Any:  # noqa: ARG002
        """Refused: the Flow gateway has no per-user header; the body's `user` field reaches the provider."""
        raise UnsupportedFeatureError(
            "The Flow gateway has no per-user attribution header (`with_user`): send the body's `user` field",
            field="with_user",
        )

    def _flow_repr(self) -> str:
        settings = self.settings
        token = "None" if settings.token is None else settings.token.secret.masked
        key = "None" if settings.api_key is None else settings.api_key.masked
        return (
            f"{type(self).__name__}(base_url={settings.root_url!r}, auth_token={token!r}, api_key={key!r}, "
            f"workspace_id={settings.workspace_id!r})"
        )


class OpenAI(_FlowClient, _client.OpenAI):  # type: ignore[misc]
    """`openai.OpenAI` on the Flow / Manifest platform AI gateway.

    `base_url` is the platform root (`PLATFORM_API_URL`); the client calls `<root>/api/v1/gateway/v1`.
    `auth_token` (`AUTH_TOKEN`) is sent as a bearer token; `api_key` (an `fl_` key) as `X-API-Key`, and
    then instead of the token. `on_auth_token_refresh()` returns a new token: a 401 renews the token
    once and sends the call once more (streams too, before their first byte). Every other keyword is
    the SDK's (`timeout`, `max_retries`, `http_client`, `default_headers`, ...).
    """

    _profile: ClassVar[GatewayProfile] = FLOW

    def __init__(
        self,
        *,
        base_url: str | httpx.URL | None = None,
        auth_token: str | None = None,
        api_key: str | None = None,
        workspace_id: str | None = None,
        request_id: str | None = None,
        on_auth_token_refresh: TokenRefresh | None = None,
        _settings: Any = None,
        **options: Any,
    ) -> None:
        settings = _settings_for(
            _settings,
            base_url=base_url,
            auth_token=auth_token,
            api_key=api_key,
            workspace_id=workspace_id,
            request_id=request_id,
            on_auth_token_refresh=on_auth_token_refresh,
        )
        _refuse_omnigate_options(options)
        refuse_coroutine_refresh(on_auth_token_refresh)
        parsed = base_url if _settings is not None and isinstance(base_url, httpx.URL) else None
        super().__init__(base_url=parsed, _settings=settings, **options)

    @property
    def gateway(self) -> FlowGateway:  # type: ignore[override, unused-ignore]  # the core's is typed for OmniGate
        """Model discovery: `models()`, `provider_models(provider, scope=...)`, `providers()`."""
        return super().gateway  # type: ignore[return-value, unused-ignore]

    @override
    def _twin(self) -> AsyncOpenAI:
        return AsyncOpenAI(**self._twin_options())

    @override
    def __repr__(self) -> str:
        return self._flow_repr()


class AsyncOpenAI(_FlowClient, _client.AsyncOpenAI):  # type: ignore[misc]
    """`openai.AsyncOpenAI` on the Flow gateway; configured exactly like `flow.OpenAI`.

    `on_auth_token_refresh` may be a coroutine function here; concurrent 401s renew the token once.
    """

    _profile: ClassVar[GatewayProfile] = FLOW

    def __init__(
        self,
        *,
        base_url: str | httpx.URL | None = None,
        auth_token: str | None = None,
        api_key: str | None = None,
        workspace_id: str | None = None,
        request_id: str | None = None,
        on_auth_token_refresh: TokenRefresh | None = None,
        _settings: Any = None,
        **options: Any,
    ) -> None:
        settings = _settings_for(
            _settings,
            base_url=base_url,
            auth_token=auth_token,
            api_key=api_key,
            workspace_id=workspace_id,
            request_id=request_id,
            on_auth_token_refresh=on_auth_token_refresh,
        )
        _refuse_omnigate_options(options)
        parsed = base_url if _settings is not None and isinstance(base_url, httpx.URL) else None
        super().__init__(base_url=parsed, _settings=settings, **options)

    @property
    def gateway(self) -> AsyncFlowGateway:  # type: ignore[override, unused-ignore]  # the core's is OmniGate's
        """Model discovery: `models()`, `provider_models(provider, scope=...)`, `providers()`."""
        return super().gateway  # type: ignore[return-value, unused-ignore]

    @override
    def _twin(self) -> OpenAI:
        """The sync `flow.OpenAI` sharing this client's token; refused now if it could not renew that token."""
        token = self.settings.token
        refuse_coroutine_refresh(None if token is None else token.refresh, advice=_NO_SYNC_TWIN)
        return OpenAI(**self._twin_options())

    @override
    def __repr__(self) -> str:
        return self._flow_repr()
