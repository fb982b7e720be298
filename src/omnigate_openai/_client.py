"""OpenAI / AsyncOpenAI for OmniGate: the SDK's clients with a handful of hooks overridden.

Nothing of the SDK is patched or wrapped: like `openai.lib.azure`, these are subclasses, so every
`isinstance(client, openai.OpenAI)` check holds and every resource keeps working. Each hook body
hands its decision to a module that is tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import openai
from typing_extensions import Self, override

from ._classify import status_error
from ._config import Settings, check_user_id
from ._exceptions import ConfigurationError, ConnectionError
from ._finish_reasons import normalise_finish_reasons
from ._meta import attach_meta, meta_from_headers
from ._omnigate import API_KEY_HEADER, CHAT_COMPLETIONS_PATH, ENV_API_KEY, USER_ID_HEADER
from ._request_checks import checked_chat_body
from ._retries import vetoes_retry
from ._sdk import BaseClient, FinalRequestOptions, Headers, Omit, SecurityOptions, httpx
from ._streaming import AsyncGatewayStream, GatewayStream

if TYPE_CHECKING:
    from .resources.gateway import AsyncGateway, Gateway

__all__ = ["AsyncOpenAI", "OpenAI"]

_HttpxClientT = TypeVar("_HttpxClientT", bound=httpx.Client | httpx.AsyncClient)
_DefaultStreamT = TypeVar("_DefaultStreamT", bound=openai.Stream[Any] | openai.AsyncStream[Any])

KEY_PLACEHOLDER = "omnigate-key-not-exposed"
"""What `client.api_key` returns. Frameworks read that attribute and send it to other hosts
(openai-agents sends it to OpenAI's tracing endpoint), so the gateway key is kept elsewhere."""


class _GatewayHooks(BaseClient[_HttpxClientT, _DefaultStreamT]):
    """The overrides both clients share. Nothing here awaits."""

    _settings: Settings
    _gateway_stream_class: ClassVar[type[Any]]
    # The SDK's own attributes, reset after its constructor read them from the environment.
    organization: str | None
    project: str | None
    admin_api_key: str | None
    webhook_secret: str | None
    _ambient_authorizations: frozenset[str]

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        user_id: str | None = None,
        admin_key: str | None = None,
        allow_ignored_fields: bool = False,
        default_headers: Mapping[str, str] | None = None,
        _settings: Settings | None = None,
        _enforce_credentials: bool = True,
        **options: Any,
    ) -> None:
        """Explicit arguments win; otherwise the `OMNIGATE_*` variables. Every other keyword is the SDK's.

        `allow_ignored_fields=True` sends request fields the gateway ignores (`tools`, `response_format`,
        ...) instead of refusing them with `UnsupportedFeatureError`.
        """
        self._settings = _settings or Settings.resolve(
            api_key=None if api_key == KEY_PLACEHOLDER else api_key,  # the SDK's `copy` passes `self.api_key` back
            base_url=None if base_url is None else str(base_url),
            user_id=user_id,
            admin_key=admin_key,
            allow_ignored_fields=allow_ignored_fields,
            require_key=_enforce_credentials,
        )
        self._requires_key = _enforce_credentials
        # OmniGate has no organisations or projects in OpenAI's sense: no OpenAI-Organization header.
        options.pop("organization", None)
        options.pop("project", None)
        super().__init__(  # type: ignore[call-arg]
            api_key=KEY_PLACEHOLDER,
            base_url=self._settings.base_url,
            default_headers=default_headers,
            _enforce_credentials=False,
            **options,
        )
        # Undo what the SDK's constructor read from `OPENAI_*` variables: none of it may reach the gateway.
        self._custom_headers = dict(default_headers or {})  # OPENAI_CUSTOM_HEADERS
        self.organization = None  # OPENAI_ORG_ID
        self.project = None  # OPENAI_PROJECT_ID
        self.admin_api_key = None  # OPENAI_ADMIN_KEY
        self.webhook_secret = None  # OPENAI_WEBHOOK_SECRET
        self._ambient_authorizations = frozenset()
        self._default_stream_cls = self._gateway_stream_class

    def copy(
        self,
        *,
        api_key: str | None = None,
        base_url: str | httpx.URL | None = None,
        user_id: str | None = None,
        admin_key: str | None = None,
        **options: Any,
    ) -> Self:
        """A new client with these settings replaced; it shares this client's connection pool."""
        settings = self._settings.updated(
            api_key=None if api_key == KEY_PLACEHOLDER else api_key,
            base_url=None if base_url is None else str(base_url),
            user_id=user_id,
            admin_key=admin_key,
        )
        return self._copy_with(settings, **options)

    with_options = copy

    def with_user(self, user_id: str | None) -> Self:
        """A copy that attributes its calls to `user_id` (None: to nobody), sharing the connection pool."""
        return self._copy_with(self._settings.for_user(user_id))

    def _copy_with(self, settings: Settings, **options: Any) -> Self:
        extra = {**options.pop("_extra_kwargs", {}), "_settings": settings}
        options.setdefault("_enforce_credentials", self._requires_key)
        sdk_copy = cast(Any, super()).copy  # openai.OpenAI.copy or openai.AsyncOpenAI.copy, by the MRO
        return cast(Self, sdk_copy(base_url=settings.base_url, _extra_kwargs=extra, **options))

    @property
    def user_id(self) -> str | None:
        """The `x-user-id` sent with every call, for per-user attribution in the gateway's metrics."""
        return self._settings.user_id

    @property
    @override
    def auth_headers(self) -> dict[str, str]:
        return self._auth_headers({})

    @override
    def _auth_headers(self, security: SecurityOptions) -> dict[str, str]:
        key = self._settings.api_key
        return {} if key is None else {API_KEY_HEADER: key.reveal()}

    @property
    @override
    def default_headers(self) -> dict[str, str | Omit]:
        user_id = self._settings.user_id
        headers = super().default_headers
        if user_id is not None and not any(name.lower() == USER_ID_HEADER for name in self._custom_headers):
            headers = {**headers, USER_ID_HEADER: user_id}
        return headers

    @override
    def _validate_headers(self, headers: Headers, custom_headers: Headers) -> None:
        for name, value in headers.items():
            if name.lower() == USER_ID_HEADER and isinstance(value, str):
                check_user_id(value)
        if self._settings.api_key is None and self._settings.admin_key is None and self._requires_key:
            raise ConfigurationError(f"Missing gateway key: pass `api_key=` or set `{ENV_API_KEY}`.")

    @override
    def _make_status_error(self, err_msg: str, *, body: object, response: httpx.Response) -> openai.APIStatusError:
        return status_error(response, body)

    @override
    def _should_retry(self, response: httpx.Response) -> bool:
        if vetoes_retry(response.status_code, response.headers):
            return False
        return super()._should_retry(response)

    @override
    def _process_response_data(self, *, data: object, cast_to: type[Any], response: httpx.Response) -> Any:
        raw_finish_reason = normalise_finish_reasons(data)
        result = super()._process_response_data(data=data, cast_to=cast_to, response=response)
        is_completion = isinstance(data, dict) and data.get("object") == "chat.completion"
        if is_completion or raw_finish_reason is not None:  # chunks carry metadata only where it says something
            attach_meta(result, meta_from_headers(response.headers).replace(raw_finish_reason=raw_finish_reason))
        return result

    def _gateway_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        """Check and rewrite a chat request before it is built; other requests pass unchanged."""
        if options.url != CHAT_COMPLETIONS_PATH or not isinstance(options.json_data, Mapping):
            return options
        extra = options.extra_json if isinstance(options.extra_json, Mapping) else {}
        body = checked_chat_body(options.json_data, extra, allow_ignored_fields=self._settings.allow_ignored_fields)
        options.json_data = body
        user = body.get("user")
        if isinstance(user, str) and self._settings.user_id is None and not _names_header(options, USER_ID_HEADER):
            # OmniGate ignores the body's `user`; the header is what its metrics attribute calls by.
            options.headers = {**(options.headers or {}), USER_ID_HEADER: user}
        return options

    def _gateway_stream_cls(self, stream_cls: Any) -> Any:
        """The SDK's resources ask for `Stream[Chunk]`; hand them the gateway's stream of the same chunks."""
        if getattr(stream_cls, "__origin__", None) in (openai.Stream, openai.AsyncStream):
            return cast(Any, self._gateway_stream_class)[stream_cls.__args__[0]]
        return stream_cls

    def __repr__(self) -> str:
        key = self._settings.api_key
        shown = "None" if key is None else key.masked
        return (
            f"{type(self).__name__}(base_url={self._settings.base_url!r}, api_key={shown!r}, user_id={self.user_id!r})"
        )


def _names_header(options: FinalRequestOptions, name: str) -> bool:
    headers = options.headers if isinstance(options.headers, Mapping) else {}
    return any(key.lower() == name for key in headers)


def _connection_error(exc: openai.APIConnectionError) -> ConnectionError:
    timed_out = isinstance(exc, openai.APITimeoutError)
    cause = exc.__cause__
    reason = f": {cause}" if cause is not None and str(cause) else ""
    message = ("The request to the gateway timed out" if timed_out else "Could not reach the gateway") + reason
    return ConnectionError.for_timeout(timed_out)(message, request=exc.request)


class OpenAI(_GatewayHooks[httpx.Client, openai.Stream[Any]], openai.OpenAI):  # type: ignore[misc]
    """`openai.OpenAI`, talking to an OmniGate gateway.

    Reads `OMNIGATE_API_KEY`, `OMNIGATE_BASE_URL`, `OMNIGATE_USER_ID` and `OMNIGATE_ADMIN_KEY`;
    never `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_CUSTOM_HEADERS`, `OPENAI_ORG_ID` or `OPENAI_PROJECT_ID`.
    """

    _gateway_stream_class = GatewayStream

    @override
    def _prepare_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        return super()._prepare_options(self._gateway_options(options))

    @override
    def _process_response(self, *, stream_cls: Any, **kwargs: Any) -> Any:
        return super()._process_response(stream_cls=self._gateway_stream_cls(stream_cls), **kwargs)

    @override
    def request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().request(*args, **kwargs)
        except openai.APIConnectionError as exc:
            if isinstance(exc, ConnectionError):
                raise
            raise _connection_error(exc) from exc.__cause__

    @cached_property
    def gateway(self) -> Gateway:
        """The gateway's own APIs: prices, metrics, keys, provider keys, account, health."""
        from .resources.gateway import Gateway

        return Gateway(self)


class AsyncOpenAI(_GatewayHooks[httpx.AsyncClient, openai.AsyncStream[Any]], openai.AsyncOpenAI):  # type: ignore[misc]
    """`openai.AsyncOpenAI`, talking to an OmniGate gateway. Configured exactly like `OpenAI`."""

    _gateway_stream_class = AsyncGatewayStream

    @override
    async def _prepare_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        return await super()._prepare_options(self._gateway_options(options))

    @override
    async def _process_response(self, *, stream_cls: Any, **kwargs: Any) -> Any:
        return await super()._process_response(stream_cls=self._gateway_stream_cls(stream_cls), **kwargs)

    @override
    async def request(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().request(*args, **kwargs)
        except openai.APIConnectionError as exc:
            if isinstance(exc, ConnectionError):
                raise
            raise _connection_error(exc) from exc.__cause__

    @cached_property
    def gateway(self) -> AsyncGateway:
        """The gateway's own APIs: prices, metrics, keys, provider keys, account, health."""
        from .resources.gateway import AsyncGateway

        return AsyncGateway(self)
