"""FlowSettings: the platform URL and credentials, from arguments or the Flow SDK's variables.

The Flow SDK reads `PLATFORM_API_URL` and `AUTH_TOKEN`; so does this client. An `fl_` API key is
an argument only (the platform's docs name no variable for it). `OPENAI_*` variables are never read.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from .._config import Settings, check_header_value, split_credentials
from .._exceptions import ConfigurationError
from .._profile import GatewayProfile
from .._secret import Secret
from ._token import BearerToken, TokenRefresh, checked_refresh
from ._wire import API_PATH, ENV_AUTH_TOKEN, ENV_BASE_URL, GATEWAY_PATH

__all__ = ["FlowSettings"]


@dataclasses.dataclass(frozen=True)
class FlowSettings(Settings):
    """`Settings` plus the platform's own: the renewable token, the workspace and the request id.

    `api_key` (inherited) holds the `fl_` API key, which wins over the token when both are given.
    """

    token: BearerToken | None = None
    """The platform JWT and its renewal; shared by a client and its copies."""
    workspace_id: str | None = None
    """Sent as `X-Workspace-ID` with every call, when set."""
    request_id: str | None = None
    """Sent as `X-Request-ID` with every call, when set (per call: `extra_headers`)."""

    def __post_init__(self) -> None:
        # The Flow SDK takes the platform root; `<root>/api/v1/gateway`, the gateway's own path in the
        # platform's docs, would be doubled into a 404 for a URL that does not exist. Here, on every
        # path in (arguments, `PLATFORM_API_URL`, `copy(base_url=...)`), it is read as the root.
        if self.root_url.endswith(GATEWAY_PATH):
            object.__setattr__(self, "root_url", self.root_url[: -len(GATEWAY_PATH)])
        if self.url_credentials is not None:  # on the same paths: the platform never takes Basic auth
            raise ConfigurationError(
                "The platform URL must not carry `user:password@`: pass `auth_token=` or an `fl_` `api_key=`."
            )

    @classmethod
    def resolve_flow(
        cls,
        *,
        profile: GatewayProfile,
        base_url: str | None,
        auth_token: str | None,
        api_key: str | None,
        workspace_id: str | None,
        request_id: str | None,
        on_auth_token_refresh: TokenRefresh | None,
        environ: Mapping[str, str] = os.environ,
    ) -> FlowSettings:
        url = base_url or environ.get(ENV_BASE_URL) or None
        if url is None:
            raise ConfigurationError(
                f"Missing platform URL: pass `base_url=` or set `{ENV_BASE_URL}` (e.g. https://api.example.com)."
            )
        token = auth_token or environ.get(ENV_AUTH_TOKEN) or None
        if token is None and api_key is None:
            raise ConfigurationError(
                f"Missing platform credential: pass `auth_token=` or set `{ENV_AUTH_TOKEN}` "
                "(or pass an `fl_` key as `api_key=`)."
            )
        refresh = checked_refresh(on_auth_token_refresh)
        root, url_credentials = split_credentials(url, api_path=API_PATH)
        return cls(
            profile=profile,
            root_url=root,
            url_credentials=url_credentials,
            api_key=None if api_key is None else Secret(check_header_value("api_key", api_key)),
            token=None if token is None else BearerToken(token, refresh=refresh),
            workspace_id=None if workspace_id is None else check_header_value("workspace_id", workspace_id),
            request_id=None if request_id is None else check_header_value("request_id", request_id),
        )
