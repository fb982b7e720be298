"""Settings: explicit arguments, else the gateway's environment variables, validated before anything is sent.

Which variables, which API path and how long a user id may be are the profile's facts (`_profile.py`;
OmniGate's are `OMNIGATE_*`). `OPENAI_*` variables are never read here: a gateway key must not reach
api.openai.com, and an OpenAI key must not reach the gateway.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ._exceptions import ConfigurationError
from ._masking import masked_url
from ._secret import Secret

if TYPE_CHECKING:
    from ._profile import GatewayProfile

__all__ = ["Settings", "check_header_value", "check_user_id"]


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything that makes a client a gateway client; carried unchanged through `copy()`.

    A profile whose gateway needs more (a refreshable token, a workspace) subclasses this dataclass.
    """

    profile: GatewayProfile = dataclasses.field(repr=False)
    """The gateway these settings are for: its API path, variables and credential headers."""
    root_url: str
    """The server root, without `/v1`: where `/health` and `/version` live."""
    api_key: Secret | None
    admin_key: Secret | None = None
    user_id: str | None = None
    allow_ignored_fields: bool = False
    """Send fields the gateway ignores (`logprobs`, ...; `tools` too without emulation) instead of refusing them."""
    emulate_tools: bool = True
    """Serve `tools`, `response_format` and tool messages by prompt (`_emulation.py`); False refuses them."""
    max_reasks: int = 1
    """How many times an emulated call asks again after an answer that breaks the contract."""
    url_credentials: tuple[str, Secret] | None = None
    """`user:password@` of the base URL, kept out of `root_url` (and so out of every repr and URL)
    and sent as HTTP Basic auth, as httpx would have sent them."""

    @property
    def base_url(self) -> str:
        return self.root_url + self.profile.api_path

    @classmethod
    def resolve(
        cls,
        *,
        profile: GatewayProfile,
        api_key: str | None,
        base_url: str | None,
        user_id: str | None,
        admin_key: str | None,
        allow_ignored_fields: bool,
        require_key: bool,
        emulate_tools: bool = True,
        max_reasks: int = 1,
        environ: Mapping[str, str] = os.environ,
    ) -> Settings:
        env = profile.env
        key = _first(api_key, environ.get(env.api_key))
        admin = _first(admin_key, _from_env(environ, env.admin_key))
        if key is None and admin is None and require_key:
            raise ConfigurationError(
                f"Missing gateway key: pass `api_key=` or set `{env.api_key}`. "
                f"(`OPENAI_API_KEY` is never read, so an OpenAI key cannot reach the gateway.)"
            )
        url = _first(base_url, environ.get(env.base_url))
        if url is None:
            raise ConfigurationError(
                f"Missing gateway URL: pass `base_url=` or set `{env.base_url}` (e.g. http://localhost:8000)."
            )
        root, credentials = split_credentials(url, api_path=profile.api_path)
        return cls(
            profile=profile,
            root_url=root,
            url_credentials=credentials,
            api_key=None if key is None else Secret(check_header_value("api_key", key)),
            admin_key=None if admin is None else Secret(check_header_value("admin_key", admin)),
            user_id=check_user_id(_first(user_id, _from_env(environ, env.user_id)), profile=profile),
            allow_ignored_fields=allow_ignored_fields,
            emulate_tools=_checked_flag("emulate_tools", emulate_tools),
            max_reasks=_checked_reasks(max_reasks),
        )

    def updated(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        user_id: str | None = None,
        admin_key: str | None = None,
    ) -> Settings:
        """These settings with the given ones replaced (None keeps a setting, as the SDK's `copy` does)."""
        changes: dict[str, Any] = {}
        if api_key is not None:
            changes["api_key"] = Secret(check_header_value("api_key", api_key))
        if base_url is not None:
            changes["root_url"], changes["url_credentials"] = split_credentials(
                base_url, api_path=self.profile.api_path
            )
        if user_id is not None:
            changes["user_id"] = check_user_id(user_id, profile=self.profile)
        if admin_key is not None:
            changes["admin_key"] = Secret(check_header_value("admin_key", admin_key))
        return dataclasses.replace(self, **changes)

    def for_user(self, user_id: str | None) -> Settings:
        return dataclasses.replace(self, user_id=check_user_id(user_id, profile=self.profile))


def split_credentials(url: str, *, api_path: str) -> tuple[str, tuple[str, Secret] | None]:
    """The root URL without `user:password@` (the server root or its API URL, `<root>/v1`, as gateway
    SDKs and OpenAI users write them), and those credentials; refused early if malformed.

    Every message shows the URL with its password masked.
    """
    if not isinstance(url, str):
        raise ConfigurationError(f"Expected `base_url` to be a string, got {type(url).__name__}")
    shown = masked_url(url)
    if any(ch in url for ch in "\r\n\t\0"):
        raise ConfigurationError(f"`base_url` contains a line break, tab or NUL character: {shown!r}")
    if not url.isascii() or not url.isprintable():
        raise ConfigurationError(f"`base_url` must be printable ASCII (IDNA-encode the host): {shown!r}")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"Expected an http:// or https:// gateway URL in `base_url`, got {shown!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"Expected a gateway URL without a query or fragment in `base_url`, got {shown!r}")
    try:
        port = parts.port
    except ValueError:
        raise ConfigurationError(f"`base_url` has an invalid port (expected 1-65535): {shown!r}") from None
    if port == 0:
        raise ConfigurationError(f"`base_url` has an invalid port (expected 1-65535): {shown!r}")
    path = parts.path.rstrip("/")
    if path.endswith(api_path):
        path = path[: -len(api_path)]
    host = parts.netloc.rpartition("@")[2]
    credentials = None
    if parts.username is not None or parts.password is not None:
        credentials = (unquote(parts.username or ""), Secret(unquote(parts.password or "")))
    return f"{parts.scheme}://{host}{path}", credentials


def check_header_value(name: str, value: str) -> str:
    """A CR or LF in a header would split the request; httpx would refuse it later, less clearly."""
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"Expected `{name}` to be a non-empty string, got {type(value).__name__}")
    if any(ch in value for ch in "\r\n\0"):
        raise ConfigurationError(f"`{name}` contains a line break or NUL character; it cannot be sent as a header")
    if not value.isascii() or not value.isprintable():
        raise ConfigurationError(f"`{name}` must be printable ASCII to be sent as a header")
    return value


def check_user_id(user_id: str | None, *, profile: GatewayProfile) -> str | None:
    """A user id the gateway can store (OmniGate's column holds 255 characters; beyond, a bare 500)."""
    if user_id is None:
        return None
    check_header_value("user_id", user_id)
    limit = profile.max_user_id_length
    if limit is not None and len(user_id) > limit:
        raise ConfigurationError(f"`user_id` is {len(user_id)} characters long; the gateway accepts at most {limit}")
    return user_id


def _checked_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"Expected `{name}` to be True or False, got {value!r}")
    return value


def _checked_reasks(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise ConfigurationError(f"Expected `max_reasks` to be a whole number from 0 to 10, got {value!r}")
    return value


def _from_env(environ: Mapping[str, str], name: str | None) -> str | None:
    return None if name is None else environ.get(name)


def _first(explicit: str | None, from_env: str | None) -> str | None:
    if explicit is not None:
        return explicit
    return from_env or None
