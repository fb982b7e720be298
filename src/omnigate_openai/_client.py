"""OpenAI / AsyncOpenAI for a gateway (OmniGate by default): the SDK's clients with a handful of hooks overridden.

Nothing of the SDK is patched or wrapped: like `openai.lib.azure`, these are subclasses, so every
`isinstance(client, openai.OpenAI)` check holds and every resource keeps working. Each hook body
is a call into the gateway's profile (`_profile.py`), the one place that knows the gateway; a
subclass for another gateway sets `_profile` and builds its own `Settings`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import openai
from typing_extensions import Self, override

from . import _bad_answers, _send
from ._arguments import check_headers, check_max_retries, check_timeout
from ._bounds import DEFAULT_MAX_RETRY_WAIT, CallBounds, call_clock, current_clock, deadline_error, deadline_of
from ._config import Settings
from ._emulation import RejectedReply, emulation_for, stream_class_for
from ._endpoints import refuse_lacked_endpoint
from ._exceptions import APIError, ConnectionError
from ._fast_models import construct_fast
from ._guarding import guarded_call, needs_prices, remember_attempt
from ._masking import hide_headers, install_log_filter
from ._meta import PROFILE_EXTENSION, emulated_in_request, parsed_with_meta, with_meta
from ._profile import GatewayProfile, PriceCache
from ._response_store import MemoryResponseStore, ResponseStore
from ._retry_after import retry_after
from ._sdk import (
    AsyncHttpxClientWrapper,
    BaseClient,
    FinalRequestOptions,
    Headers,
    Omit,
    SecurityOptions,
    SyncHttpxClientWrapper,
    httpx,
    not_given,
)
from ._streaming import AsyncGatewayStream, GatewayStream, MetaFromTheStart
from ._tls import http_client_sharing_tls
from ._verbatim import unwrapped
from .omnigate import OMNIGATE
from .omnigate._native import Routing

if TYPE_CHECKING:
    from ._responses_resource import AsyncResponses, Responses
    from .guard import Guard
    from .guard._call import GuardBinding
    from .omnigate.resources.gateway import AsyncGateway, Gateway

__all__ = ["AsyncOpenAI", "OpenAI"]

install_log_filter()  # the SDK's DEBUG logs carry request options, headers and URLs (`_masking.py`)

_HttpxClientT = TypeVar("_HttpxClientT", bound=httpx.Client | httpx.AsyncClient)
_DefaultStreamT = TypeVar("_DefaultStreamT", bound=openai.Stream[Any] | openai.AsyncStream[Any])

KEY_PLACEHOLDER = "omnigate-key-not-exposed"
"""What `client.api_key` returns. Frameworks read that attribute and send it to other hosts
(openai-agents sends it to OpenAI's tracing endpoint), so the gateway key is kept elsewhere."""


class _GatewayHooks(BaseClient[_HttpxClientT, _DefaultStreamT]):
    """The overrides both clients share. Nothing here awaits."""

    _profile: ClassVar[GatewayProfile] = OMNIGATE
    """The gateway this client class talks to; a client for another gateway is a subclass setting this."""
    _settings: Settings
    _bounds: CallBounds
    _borrows_pool: bool
    _routing: Routing
    _price_cache: PriceCache | None
    _guard: GuardBinding | None
    _response_store: ResponseStore
    _gateway_stream_class: ClassVar[type[Any]]
    _http_client_class: ClassVar[Callable[..., Any]]
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
        emulate_tools: bool = True,
        max_reasks: int = 1,
        default_headers: Mapping[str, str] | None = None,
        response_store: ResponseStore | None = None,
        deadline: float | None = None,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
        _settings: Settings | None = None,
        _borrows_pool: bool = False,
        _routing: Routing | None = None,
        _prices: PriceCache | None = None,
        _guard: GuardBinding | None = None,
        _enforce_credentials: bool = True,
        **options: Any,
    ) -> None:
        """Explicit arguments win; otherwise the `OMNIGATE_*` variables. Every other keyword is the SDK's.

        Where the gateway drops `tools`, `tool_choice` and `response_format` and refuses `tool` messages,
        they are served by prompt (README, "Tools and structured output"); an answer that breaks the
        contract is asked again `max_reasks` times. `emulate_tools=False` refuses them instead with
        `UnsupportedFeatureError`, and `allow_ignored_fields=True` sends fields the gateway ignores
        (`logprobs`, ...; with `emulate_tools=False`, `tools` too) instead of refusing them.
        `response_store` keeps the responses of `client.responses` for `previous_response_id`
        (default: the last 1000, in this process).
        `deadline` (seconds, default none) bounds each call as a whole, re-asks included;
        `max_retry_wait` caps one call's waiting between retries (README, "What bounds a call").
        """
        check_max_retries(options.get("max_retries", 0))
        check_timeout(options.get("timeout"))
        check_headers(default_headers or {}, name="default_headers")
        self._bounds = CallBounds.checked(deadline=deadline, max_retry_wait=max_retry_wait)
        self._borrows_pool = _borrows_pool  # a copy: the pool is its parent's (`close`)
        self._settings = _settings or Settings.resolve(
            profile=self._profile,
            api_key=None if api_key == KEY_PLACEHOLDER else api_key,  # the SDK's `copy` passes `self.api_key` back
            base_url=None if base_url is None else str(base_url),
            user_id=user_id,
            admin_key=admin_key,
            allow_ignored_fields=allow_ignored_fields,
            require_key=_enforce_credentials,
            emulate_tools=emulate_tools,
            max_reasks=max_reasks,
        )
        self._requires_key = _enforce_credentials
        hide_headers(self._settings.profile.secret_headers)
        self._routing = _routing if _routing is not None else Routing()
        # Copies on the same gateway share the prices.
        self._price_cache = _prices if _prices is not None else self._settings.profile.price_cache()
        self._guard = _guard
        self._response_store = response_store if response_store is not None else MemoryResponseStore()
        # OmniGate has no organisations or projects in OpenAI's sense: no OpenAI-Organization header.
        options.pop("organization", None)
        options.pop("project", None)
        if options.get("http_client") is None:  # one TLS context per process, not one per client (`_tls.py`)
            options["http_client"] = http_client_sharing_tls(
                self._http_client_class, base_url=self._settings.base_url, timeout=options.get("timeout", not_given)
            )
        parsed = base_url if _settings is not None and isinstance(base_url, httpx.URL) else None  # by `_copy_with`
        super().__init__(  # type: ignore[call-arg]
            api_key=KEY_PLACEHOLDER,
            base_url=parsed if parsed is not None else self._settings.base_url,
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
        deadline: float | None = None,
        max_retry_wait: float | None = None,
        **options: Any,
    ) -> Self:
        """A new client with these settings replaced; it shares (and does not own) this client's connection pool."""
        bounds = CallBounds.checked(
            deadline=self._bounds.deadline if deadline is None else deadline,
            max_retry_wait=self._bounds.max_retry_wait if max_retry_wait is None else max_retry_wait,
        )
        if "max_retries" in options:
            check_max_retries(options["max_retries"])
        check_timeout(options.get("timeout"))
        settings = self._settings.updated(
            api_key=None if api_key == KEY_PLACEHOLDER else api_key,
            base_url=None if base_url is None else str(base_url),
            user_id=user_id,
            admin_key=admin_key,
        )
        return self._copy_with(settings, _bounds=bounds, **options)

    with_options = copy

    def with_user(self, user_id: str | None) -> Self:
        """A copy that attributes its calls to `user_id` (None: to nobody), sharing the connection pool."""
        return self._copy_with(self._settings.for_user(user_id))

    def with_routing(self, *, fallbacks: Sequence[str] = (), cache: bool | None = None) -> Self:
        """A copy whose chat calls use the gateway's fallbacks and response cache, sharing the connection pool.

        `fallbacks`: up to 5 models tried in order when the primary fails (portable names work);
        `cache`: True to cache answers of `temperature=0` calls, False to bypass a server-wide cache.
        Such calls go to the gateway's native chat route (its OpenAI-compatible route drops both) and
        still return a `ChatCompletion`. `extra_body={"fallback_models": [...], "cache": ...}` does
        the same for one call. Streams can't fall back: a stream with fallbacks is refused.
        """
        return self._copy_with(self._settings, _routing=Routing(fallbacks=fallbacks, cache=cache))

    def with_guard(self, guard: Guard | None, *, agent_id: str | None = None) -> Self:
        """A copy whose every chat call is checked by `guard` before it is sent and settled after (None: unguarded).

        `agent_id` names the agent the calls count for (per-agent limits, loops, tool access, history).
        Each HTTP attempt counts: the SDK's retries and the extra calls a helper makes included.
        """
        if guard is None:
            return self._copy_with(self._settings, _guard=False)
        from .guard._call import GuardBinding  # the guard loads with the first guarded copy

        return self._copy_with(self._settings, _guard=GuardBinding(guard, agent_id))

    @property
    def routing(self) -> Routing:
        """The fallbacks and cache switch of `with_routing(...)` (empty: calls use the compat route)."""
        return self._routing

    def _copy_with(
        self,
        settings: Settings,
        *,
        _routing: Routing | None = None,
        _bounds: CallBounds | None = None,
        _guard: GuardBinding | bool = True,
        **options: Any,
    ) -> Self:
        same_gateway = settings.root_url == self._settings.root_url
        bounds = _bounds or self._bounds
        extra = {
            **options.pop("_extra_kwargs", {}),
            "_settings": settings,
            "_routing": _routing if _routing is not None else self._routing,
            "_guard": self._guard if _guard is True else None if _guard is False else _guard,
            "_prices": self._price_cache if same_gateway else None,
            "response_store": self._response_store,  # copies continue each other's conversations
            "deadline": bounds.deadline,
            "max_retry_wait": bounds.max_retry_wait,
            "_borrows_pool": options.get("http_client") is None,
        }
        options.setdefault("_enforce_credentials", self._requires_key)
        # On the same URL the copy gets the parsed one: parsing it again was half the cost of a copy.
        base_url = self.base_url if settings.base_url == self._settings.base_url else settings.base_url
        sdk_copy = cast(Any, super()).copy  # openai.OpenAI.copy or openai.AsyncOpenAI.copy, by the MRO
        return cast(Self, sdk_copy(base_url=base_url, _extra_kwargs=extra, **options))

    @property
    def settings(self) -> Settings:
        """The resolved gateway settings (key, URLs, user, profile); secrets in it are masked in any repr."""
        return self._settings

    def _twin_options(self) -> dict[str, Any]:
        """What the client of the other kind (sync <-> async) is built with by `_twin()`: all a copy keeps but the
        pool, which can't be shared. The settings carry the key, base URL, user and opt-outs (and a renewable
        token, shared); a guarded client's twin counts in the same guard, for the same agent, else its half of
        the calls went free; routing, bounds and the response store hold for the calls a framework makes there."""
        return {
            "_settings": self._settings,
            "_guard": self._guard,
            "_routing": self._routing,
            "_prices": self._price_cache,
            "response_store": self._response_store,
            "deadline": self._bounds.deadline,
            "max_retry_wait": self._bounds.max_retry_wait,
            "_enforce_credentials": self._requires_key,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self._custom_headers,
        }

    @property
    def requires_credentials(self) -> bool:
        """Whether a call without a gateway key is refused before sending (False for key-less helpers)."""
        return self._requires_key

    @property
    def response_store(self) -> ResponseStore:
        """Where `client.responses` keeps its responses (the gateway keeps none); shared with copies."""
        return self._response_store

    @property
    def user_id(self) -> str | None:
        """The user id sent with every call (the profile's user header), for per-user attribution in the metrics."""
        return self._settings.user_id

    @property
    @override
    def auth_headers(self) -> dict[str, str]:
        return self._auth_headers({"bearer_auth": True})

    @override
    def _auth_headers(self, security: SecurityOptions) -> dict[str, str]:
        # Calls that need no gateway key (signup, health, admin) say so, and then get none.
        return self._settings.profile.auth_headers(self._settings, bearer_auth=security.get("bearer_auth", False))

    @property
    @override
    def default_headers(self) -> dict[str, str | Omit]:
        return with_gateway_headers(super().default_headers, self._settings, self._custom_headers)

    @override
    def _custom_auth(self, security: SecurityOptions) -> Any:
        # The base URL's `user:password@`, kept out of every URL and repr, sent as httpx would have sent it.
        credentials = self._settings.url_credentials
        if credentials is None:
            return super()._custom_auth(security)
        return httpx.BasicAuth(credentials[0], credentials[1].reveal())

    @override
    def _build_headers(self, options: FinalRequestOptions, *, retries_taken: int = 0) -> httpx.Headers:
        headers = super()._build_headers(options, retries_taken=retries_taken)
        if options.headers:
            call_headers_win(headers, options.headers)
        return headers

    @override
    def _validate_headers(self, headers: Headers, custom_headers: Headers) -> None:
        check_headers(custom_headers)
        self._settings.profile.validate_headers(self._settings, headers, require_credentials=self._requires_key)

    @override
    def _make_status_error(self, err_msg: str, *, body: object, response: httpx.Response) -> openai.APIStatusError:
        profile = self._settings.profile
        return with_meta(profile.status_error(response, body), profile.meta_from_headers(response.headers))

    @override
    def _should_retry(self, response: httpx.Response) -> bool:
        if self._settings.profile.vetoes_retry(response.status_code, response.headers):
            return False
        clock = current_clock()
        if clock is not None and not clock.may_wait(self._parse_retry_after_header(response.headers)):
            return False  # the caller gets the error (and its `retry_after`) now, not after a long wait
        return super()._should_retry(response)

    @override
    def _parse_retry_after_header(self, response_headers: httpx.Headers | None = None) -> float | None:
        # The same reading as `RateLimitError.retry_after`, and the same under both openai majors.
        return retry_after(response_headers)

    @override
    def _calculate_retry_timeout(self, remaining_retries: int, options: FinalRequestOptions, *args: Any) -> float:
        proposed = super()._calculate_retry_timeout(remaining_retries, options, *args)
        clock = current_clock()
        return proposed if clock is None else clock.spend_wait(proposed)

    def _answer_error(self, *, stream: bool, cast_to: Any, response: httpx.Response, **_: Any) -> Exception | None:
        """A non-stream 2xx that is not JSON where a model was expected (`_bad_answers.py`)."""
        if stream or response.request.headers.get("X-Stainless-Raw-Response"):
            return None
        return _bad_answers.not_json(response, cast_to)

    def _wrong_stream(self, stream_cls: Any, *, stream: bool, response: httpx.Response, **_: Any) -> str | None:
        """The content type a gateway stream needed, when the answer to a streamed call is not one; else None."""
        origin = getattr(stream_cls, "__origin__", stream_cls)
        if not stream or not isinstance(origin, type) or not issubclass(origin, MetaFromTheStart):
            return None
        expected: str = origin._content_type
        return expected if _bad_answers.stream_mismatch(response, expected) else None

    @override
    def _process_response_data(self, *, data: object, cast_to: type[Any], response: httpx.Response) -> Any:
        if (refused := _bad_answers.error_in_answer(data, cast_to, response, self._settings.profile)) is not None:
            raise refused
        prices = None if self._price_cache is None else self._price_cache.prices
        data, found = self._settings.profile.answer(data, cast_to=cast_to, response=response, prices=prices)
        if (odd := _bad_answers.not_a_completion(data, cast_to, response)) is not None:  # the native answer mapped
            raise odd
        # Completions and chunks are built by pydantic-core when it can (`_fast_models.py`), else by the SDK.
        built = None if self._strict_response_validation else construct_fast(cast_to, data)
        if built is None:
            built = super()._process_response_data(data=data, cast_to=cast_to, response=response)
        if found is not None:
            found = found.emulating(emulated_in_request(response))
        if found is not None and self._guard is not None:  # this attempt's own cost, before any summing
            remember_attempt(response, built, found)
        return with_meta(built, found)

    @override
    def _build_request(self, options: FinalRequestOptions, *, retries_taken: int = 0) -> httpx.Request:
        request = super()._build_request(options, retries_taken=retries_taken)
        if self._guard is not None:  # the guarded attempt rides on the request (`guard/_call.py`)
            prices = None if self._price_cache is None else self._price_cache.prices
            user_id = self._user_sent(options, request)
            self._guard.attach(request, options, retries_taken, prices, self._settings.profile, user_id)
        return request

    def _user_sent(self, options: FinalRequestOptions, request: httpx.Request) -> str | None:
        """Whom a request is attributed to (the profile's user header): this copy's user, unless the call's or the
        client's own headers could name another; then it is read off the request (microseconds, so not always)."""
        header = self._settings.profile.user_header
        if header is None:
            return None
        if not options.headers and not self._custom_headers:
            return self._settings.user_id
        named: str | None = request.headers.get(header)
        return named

    def _gateway_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        """Refuse an endpoint the gateway lacks; then the profile checks and rewrites the call (OmniGate: its route)."""
        profile = self._settings.profile
        refuse_lacked_endpoint(profile, options)
        return profile.prepare_request(options, self)

    def _received(
        self, stream_cls: Any, options: FinalRequestOptions, response: httpx.Response, *, asynchronous: bool
    ) -> Any:
        """Before the SDK parses an answer: the profile notes the request, picks the stream class of its dialect."""
        profile = self._settings.profile
        response.extensions[PROFILE_EXTENSION] = profile  # `meta(raw_response)` reads headers in its terms
        profile.note_response(options, response)
        return stream_class_for(profile.stream_class(stream_cls, options, asynchronous=asynchronous), options)

    def _wants_prices(self, options: FinalRequestOptions) -> bool:
        """The metadata needs the prices, or a guarded chat call reserves at them (before the call)."""
        if self._price_cache is None:
            return False
        profile = self._settings.profile
        return profile.wants_prices(options) or needs_prices(self._guard, options, profile)

    def _prices_path(self) -> str:
        return self._settings.profile.prices_path or ""

    def _close_unless_borrowed(self) -> bool:
        """Whether `close()` may close the connection pool: only its owner's may; a copy's leaves it open."""
        return not self._borrows_pool

    def __repr__(self) -> str:
        key = self._settings.api_key
        shown = "None" if key is None else key.masked
        return (
            f"{type(self).__name__}(base_url={self._settings.base_url!r}, api_key={shown!r}, user_id={self.user_id!r})"
        )


def with_gateway_headers(
    headers: dict[str, str | Omit], settings: Settings, custom_headers: Mapping[str, object]
) -> dict[str, str | Omit]:
    """The SDK's default headers and the profile's (the user header), unless the caller set that header himself."""
    extra = settings.profile.default_headers(settings)
    if not extra:
        return headers
    custom = {name.lower() for name in custom_headers}
    added = {name: value for name, value in extra.items() if name.lower() not in custom}
    return {**headers, **added} if added else headers


def call_headers_win(headers: httpx.Headers, call_headers: Mapping[str, object]) -> None:
    """A call's own headers replace the client's whatever their case, and `Omit` removes them.

    openai 3.x merges headers so; openai 2.x merges them as dicts, case-sensitively: the client's user
    header and the call's, spelt in another case, both went out, and the gateway read "alice, carol".
    """
    for name, value in call_headers.items():
        if isinstance(value, Omit):
            if name in headers:
                del headers[name]
        elif isinstance(value, str):
            headers[name] = value


def check_call_options(options: object) -> None:
    """A call's own `timeout=` / `max_retries`, refused before the SDK's retry loop misreads them."""
    if isinstance(options, FinalRequestOptions):
        check_timeout(options.timeout)
        if isinstance(options.max_retries, int):
            check_max_retries(options.max_retries)


def _connection_error(exc: openai.APIConnectionError) -> ConnectionError:
    timed_out = isinstance(exc, openai.APITimeoutError)
    clock = deadline_of(exc.request) if timed_out else None
    if clock is not None and (clock.remaining() or 0.0) <= 0:  # its timeout was cut to the deadline (`_send._arm`)
        return deadline_error(clock, exc.request)
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
    _http_client_class = SyncHttpxClientWrapper

    def _twin(self) -> AsyncOpenAI:
        """The `AsyncOpenAI` of this client's gateway and settings, for a framework that takes both kinds.

        A subclass for another gateway overrides it to return its own class (`flow.OpenAI`)."""
        return AsyncOpenAI(**self._twin_options())

    @override
    def _prepare_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        options = self._gateway_options(options)
        if self._price_cache is not None and self._wants_prices(options):  # before the call: the log shows it last
            self._price_cache.load(self._fetch_prices)
        return super()._prepare_options(options)

    @override
    def _process_response(self, *, stream_cls: Any, options: FinalRequestOptions, **kwargs: Any) -> Any:
        stream_cls = self._received(stream_cls, options, kwargs["response"], asynchronous=False)
        call = guarded_call(kwargs["response"].request)
        if call is None or call.stream:  # a stream settles when it ends (`_streaming.py`)
            answer = self._read_answer(stream_cls, options, kwargs)
            if call is not None and not isinstance(answer, MetaFromTheStart):  # a raw response, perhaps never parsed
                call.settle_when_freed(kwargs["response"])
            return answer
        try:
            result = self._read_answer(stream_cls, options, kwargs)
        except BaseException as exc:  # an answer rejected while read (tool emulation re-asks it): still billed
            call.settle_unread(exc)
            raise
        call.settle_answer(result)
        return result

    def _read_answer(self, stream_cls: Any, options: FinalRequestOptions, kwargs: dict[str, Any]) -> Any:
        if (refused := self._answer_error(**kwargs)) is not None:
            raise refused
        if (expected := self._wrong_stream(stream_cls, **kwargs)) is not None:
            _send.read_whole(kwargs["response"])
            raise _bad_answers.wrong_stream(kwargs["response"], expected, self._settings.profile)
        try:
            return super()._process_response(stream_cls=stream_cls, options=options, **kwargs)
        except ValueError as exc:  # json.JSONDecodeError, when the body said JSON but was not
            if isinstance(exc, openai.OpenAIError) or kwargs["stream"]:
                raise
            raise _bad_answers.invalid_json(kwargs["response"], exc) from exc

    @override
    def _send_request(self, request: httpx.Request, *, stream: bool, **kwargs: Any) -> httpx.Response:
        call = guarded_call(request)
        if call is None:
            return cast(httpx.Response, _send.send(self._client, request, stream=stream, **kwargs))
        call.begin()  # checks and reserves, or raises before anything is sent
        stream = stream and call.stream  # a guarded answer is read whole (`with_streaming_response` too): it settles
        try:
            response = cast(httpx.Response, _send.send(self._client, request, stream=stream, **kwargs))
        except BaseException as exc:
            call.unanswered(exc)
            raise
        call.answered(response)
        return response

    @override
    def close(self) -> None:
        if self._close_unless_borrowed():
            super().close()

    def _fetch_prices(self) -> object:
        return self.get(self._prices_path(), cast_to=object, options={"max_retries": 0})

    @override
    def request(self, cast_to: Any, options: FinalRequestOptions, **kwargs: Any) -> Any:
        check_call_options(options)
        options, texts = unwrapped(options)  # tools kept from the SDK's transform (`_verbatim.py`)
        emulation = emulation_for(options, self._settings, texts=texts)
        with call_clock(self._bounds):  # one deadline for the whole call, re-asks included
            if emulation is None:
                return self._send(cast_to, parsed_with_meta(options), **kwargs)
            while True:  # bounded: `ask_again` raises once the re-asks are spent
                try:
                    result = self._send(cast_to, emulation.options(), **kwargs)
                    if emulation.reads_now(result):  # a raw response: its answer is read (and re-asked) here too
                        result.parse()
                    return result
                except RejectedReply as rejected:
                    emulation.ask_again(rejected)

    def _send(self, cast_to: Any, options: FinalRequestOptions, **kwargs: Any) -> Any:
        try:
            try:
                return super().request(cast_to, options, **kwargs)
            except APIError as error:  # one more attempt if the profile renewed an expired credential
                if not self._settings.profile.refresh_credentials(self._settings, error):
                    raise
            return super().request(cast_to, options, **kwargs)
        except openai.APIConnectionError as exc:
            if isinstance(exc, ConnectionError):
                raise
            raise _connection_error(exc) from exc.__cause__

    @cached_property
    @override
    def chat(self) -> openai.resources.chat.Chat:
        """The SDK's chat resource; `completions.create` keeps tools it will emulate away from the SDK's transform."""
        from ._emulated_chat import EmulatingChat  # on first use, as plain openai loads its chat resource

        return EmulatingChat(self)

    @cached_property
    def gateway(self) -> Gateway:
        """The gateway's own APIs: prices, metrics, keys, provider keys, account, health."""
        return cast("Gateway", self._settings.profile.gateway(self))

    @cached_property
    def responses(self) -> Responses:
        """The Responses API, served over the gateway's chat completions (OmniGate has no `/v1/responses`)."""
        from ._responses_resource import Responses

        return Responses(self)


class AsyncOpenAI(_GatewayHooks[httpx.AsyncClient, openai.AsyncStream[Any]], openai.AsyncOpenAI):  # type: ignore[misc]
    """`openai.AsyncOpenAI`, talking to an OmniGate gateway. Configured exactly like `OpenAI`."""

    _gateway_stream_class = AsyncGatewayStream
    _http_client_class = AsyncHttpxClientWrapper

    def _twin(self) -> OpenAI:
        """The `OpenAI` of this client's gateway and settings (see `OpenAI._twin`)."""
        return OpenAI(**self._twin_options())

    @override
    async def _prepare_options(self, options: FinalRequestOptions) -> FinalRequestOptions:
        options = self._gateway_options(options)
        if self._price_cache is not None and self._wants_prices(options):  # before the call: the log shows it last
            await self._price_cache.aload(self._fetch_prices)
        return await super()._prepare_options(options)

    @override
    async def _process_response(self, *, stream_cls: Any, options: FinalRequestOptions, **kwargs: Any) -> Any:
        stream_cls = self._received(stream_cls, options, kwargs["response"], asynchronous=True)
        call = guarded_call(kwargs["response"].request)
        if call is None or call.stream:  # a stream settles when it ends (`_streaming.py`)
            answer = await self._read_answer(stream_cls, options, kwargs)
            if call is not None and not isinstance(answer, MetaFromTheStart):  # a raw response, perhaps never parsed
                call.settle_when_freed(kwargs["response"])
            return answer
        try:
            result = await self._read_answer(stream_cls, options, kwargs)
        except BaseException as exc:  # an answer rejected while read (tool emulation re-asks it): still billed
            await call.asettle_unread(exc)
            raise
        await call.asettle_answer(result)
        return result

    async def _read_answer(self, stream_cls: Any, options: FinalRequestOptions, kwargs: dict[str, Any]) -> Any:
        if (refused := self._answer_error(**kwargs)) is not None:
            raise refused
        if (expected := self._wrong_stream(stream_cls, **kwargs)) is not None:
            await _send.aread_whole(kwargs["response"])
            raise _bad_answers.wrong_stream(kwargs["response"], expected, self._settings.profile)
        try:
            return await super()._process_response(stream_cls=stream_cls, options=options, **kwargs)
        except ValueError as exc:  # json.JSONDecodeError, when the body said JSON but was not
            if isinstance(exc, openai.OpenAIError) or kwargs["stream"]:
                raise
            raise _bad_answers.invalid_json(kwargs["response"], exc) from exc

    @override
    async def _send_request(self, request: httpx.Request, *, stream: bool, **kwargs: Any) -> httpx.Response:
        call = guarded_call(request)
        if call is None:
            return cast(httpx.Response, await _send.asend(self._client, request, stream=stream, **kwargs))
        await call.abegin()  # checks and reserves, or raises before anything is sent
        stream = stream and call.stream
        try:
            response = cast(httpx.Response, await _send.asend(self._client, request, stream=stream, **kwargs))
        except BaseException as exc:
            await call.aunanswered(exc)
            raise
        await call.aanswered(response)
        return response

    @override
    async def close(self) -> None:
        if self._close_unless_borrowed():
            await super().close()

    async def _fetch_prices(self) -> object:
        return await self.get(self._prices_path(), cast_to=object, options={"max_retries": 0})

    @override
    async def request(self, cast_to: Any, options: FinalRequestOptions, **kwargs: Any) -> Any:
        check_call_options(options)
        options, texts = unwrapped(options)  # tools kept from the SDK's transform (`_verbatim.py`)
        emulation = emulation_for(options, self._settings, texts=texts)
        with call_clock(self._bounds):  # one deadline for the whole call, re-asks included
            if emulation is None:
                return await self._send(cast_to, parsed_with_meta(options), **kwargs)
            while True:  # bounded: `ask_again` raises once the re-asks are spent
                try:
                    result = await self._send(cast_to, emulation.options(), **kwargs)
                    if emulation.reads_now(result):  # a raw response: its answer is read (and re-asked) here too
                        parsed = result.parse()
                        if inspect.isawaitable(parsed):  # `with_streaming_response` on the async client
                            await parsed
                    return result
                except RejectedReply as rejected:
                    emulation.ask_again(rejected)

    async def _send(self, cast_to: Any, options: FinalRequestOptions, **kwargs: Any) -> Any:
        try:
            try:
                return await super().request(cast_to, options, **kwargs)
            except APIError as error:  # one more attempt if the profile renewed an expired credential
                if not await self._settings.profile.arefresh_credentials(self._settings, error):
                    raise
            return await super().request(cast_to, options, **kwargs)
        except openai.APIConnectionError as exc:
            if isinstance(exc, ConnectionError):
                raise
            raise _connection_error(exc) from exc.__cause__

    @cached_property
    @override
    def chat(self) -> openai.resources.chat.AsyncChat:
        """The SDK's chat resource; `completions.create` keeps tools it will emulate away from the SDK's transform."""
        from ._emulated_chat import EmulatingAsyncChat  # on first use, as plain openai loads its chat resource

        return EmulatingAsyncChat(self)

    @cached_property
    def gateway(self) -> AsyncGateway:
        """The gateway's own APIs: prices, metrics, keys, provider keys, account, health."""
        return cast("AsyncGateway", self._settings.profile.async_gateway(self))

    @cached_property
    def responses(self) -> AsyncResponses:
        """The Responses API, served over the gateway's chat completions (OmniGate has no `/v1/responses`)."""
        from ._responses_resource import AsyncResponses

        return AsyncResponses(self)
