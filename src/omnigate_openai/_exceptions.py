"""The errors the gateway client raises. Each one is also the `openai` error of the same kind.

Existing `except openai.RateLimitError:` blocks keep catching them; new code can be precise::

    * GatewayError                  openai.OpenAIError
      + APIError                    openai.APIStatusError       any non-2xx answer; by status also
      |                                                         BadRequestError, NotFoundError, ...
      | - AuthError                 openai.AuthenticationError  the gateway refused *our* key (401/403)
      | - BudgetExceededError       openai.APIStatusError       a 402: a project or org budget is spent
      | - RateLimitError            openai.RateLimitError       a 429, from the gateway or a provider
      | - ProviderError             by upstream status          the provider failed, or could not be used
      | - ModelNotFoundError        BadRequestError (400 on chat), NotFoundError (404 on retrieve)
      | - RedirectRefusedError      openai.APIStatusError       a redirect to another origin, not followed
      + ConnectionError             openai.APIConnectionError   no answer (APITimeoutError on timeouts)
      + InvalidResponseError        APIResponseValidationError  a 200 that is not what the protocol promises
      + UnsupportedFeatureError     -                           refused before sending
      | - UnknownResponseError      LookupError                 a Responses id this client never stored
      + ModelOutputError            -                           an emulated tool call or JSON answer stayed
                                                                invalid after every re-ask
      + ConfigurationError          ValueError                  bad settings, refused before sending

A status error's class depends on the status the gateway sent, so the concrete class of a raised
error is a cached subclass that joins the gateway class above with the `openai` class of that status
(`ProviderError.for_status(401)` is both a `ProviderError` and an `openai.AuthenticationError`).
"""

from __future__ import annotations

import functools
from typing import Any, Literal, TypeVar, cast

import openai

from ._sdk import httpx

__all__ = [
    "APIError",
    "AuthError",
    "BudgetExceededError",
    "ConfigurationError",
    "ConnectionError",
    "GatewayAuthError",
    "GatewayClientError",
    "GatewayError",
    "GatewayModelNotFoundError",
    "GatewayProviderError",
    "GatewayRateLimitError",
    "InvalidResponseError",
    "ModelNotFoundError",
    "ModelOutputError",
    "ProviderError",
    "RateLimitError",
    "UnknownResponseError",
    "RedirectRefusedError",
    "UnsupportedFeatureError",
]

BudgetScope = Literal["project", "org"]
BudgetPeriod = Literal["daily", "monthly"]
RateLimitSource = Literal["gateway", "provider"]
_E = TypeVar("_E", bound="APIError")

_OPENAI_CLASS_BY_STATUS: dict[int, type[openai.APIStatusError]] = {
    400: openai.BadRequestError,
    401: openai.AuthenticationError,
    403: openai.PermissionDeniedError,
    404: openai.NotFoundError,
    409: openai.ConflictError,
    422: openai.UnprocessableEntityError,
    429: openai.RateLimitError,
}


def openai_class_for_status(status: int) -> type[openai.APIStatusError]:
    """The class the plain `openai` SDK would raise for this status."""
    if status >= 500:
        return openai.InternalServerError
    return _OPENAI_CLASS_BY_STATUS.get(status, openai.APIStatusError)


class GatewayError(openai.OpenAIError):
    """The root of every error this package raises. Each pickles, without the key (`_pickling.py`)."""

    def __reduce__(self) -> tuple[Any, ...]:
        from ._pickling import reduce_error

        return reduce_error(self)


class APIError(GatewayError, openai.APIStatusError):
    """The gateway answered with a non-2xx status.

    `str(error)` is the gateway's own message (the plain SDK shows only `Error code: 401` for most
    OmniGate answers). Retrying helps only where the subclass says so.
    """

    detail: object
    """The gateway's `detail` or `error.message` as sent: a string, or a list for validation errors."""

    def __init__(self, message: str, *, response: httpx.Response, body: object, detail: object = None) -> None:
        super().__init__(message, response=response, body=body)
        self.detail = message if detail is None else detail

    def __str__(self) -> str:
        return self.message

    @classmethod
    def for_status(cls: type[_E], status: int) -> type[_E]:
        """This class joined with the `openai` class of `status`, so both kinds of `except` catch it."""
        return _joined(cls, openai_class_for_status(status))


_JOINED: dict[tuple[type[APIError], type[openai.APIStatusError]], type[APIError]] = {}


def _joined(gateway_cls: type[_E], openai_cls: type[openai.APIStatusError]) -> type[_E]:
    if issubclass(gateway_cls, openai_cls):
        return gateway_cls
    if (gateway_cls, openai_cls) in _JOINED:
        return cast("type[_E]", _JOINED[gateway_cls, openai_cls])
    joined = cast(
        "type[_E]", type(gateway_cls.__name__, (gateway_cls, openai_cls), {"__module__": gateway_cls.__module__})
    )
    joined.__qualname__ = gateway_cls.__qualname__
    _JOINED[gateway_cls, openai_cls] = joined
    return joined


class AuthError(APIError, openai.AuthenticationError):
    """The gateway rejected the gateway key (missing, unknown or revoked), or the admin key.

    Never raised for a provider's rejection of a stored provider key: that is a `ProviderError`.
    Retrying does not help.
    """


class BudgetExceededError(APIError):
    """A project or organisation budget is spent (HTTP 402). Retrying helps only once it is raised."""

    scope: BudgetScope | None
    """Whose budget: the project's or the organisation's."""
    period: BudgetPeriod | None
    """Which budget: the daily or the monthly one."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        detail: object = None,
        scope: BudgetScope | None = None,
        period: BudgetPeriod | None = None,
    ) -> None:
        super().__init__(message, response=response, body=body, detail=detail)
        self.scope = scope
        self.period = period


class RateLimitError(APIError, openai.RateLimitError):
    """Too many requests (HTTP 429).

    `source == "gateway"`: the project's per-minute limit; the SDK waits `retry_after` and retries.
    `source == "provider"`: the provider's limit, after the gateway's own retries; not retried again.
    """

    retry_after: float | None
    """Seconds until the limit resets, as the retry decision read them (`retry-after-ms`, else `Retry-After`
    in seconds or as an HTTP-date); None for a provider's 429 or a header that is no wait (`nan`, `-1`).
    A large figure is kept as the server sent it (`1e300`; beyond a float, the largest float): compare it
    with what you will wait before passing it to `time.sleep` or `timedelta`, which refuse such values."""
    source: RateLimitSource

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        detail: object = None,
        retry_after: float | None = None,
        source: RateLimitSource = "gateway",
    ) -> None:
        super().__init__(message, response=response, body=body, detail=detail)
        self.retry_after = retry_after
        self.source = source


class ProviderError(APIError):
    """The provider behind the gateway failed, or could not be used (no provider key, open circuit).

    The status is the provider's own (a bad provider key is a 401 here, not a bad gateway key).
    The gateway has already retried transient failures three times, so the client does not.
    """

    provider: str | None
    """`openai`, `anthropic`, `gemini` or `azure`, when the message names it."""
    upstream_status: int | None
    """The provider's HTTP status, parsed from the message; None when the provider gave none."""
    circuit_open: bool
    """True when the gateway refused without calling the provider: its circuit breaker is open."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object,
        detail: object = None,
        provider: str | None = None,
        upstream_status: int | None = None,
        circuit_open: bool = False,
    ) -> None:
        super().__init__(message, response=response, body=body, detail=detail)
        self.provider = provider
        self.upstream_status = upstream_status
        self.circuit_open = circuit_open

    @classmethod
    def for_status(cls: type[_E], status: int) -> type[_E]:
        """A provider's 429 is also a `RateLimitError`, so one `except` catches every 429."""
        if status == 429 and cls is ProviderError:
            return cast("type[_E]", _provider_rate_limit_error())
        return _joined(cls, openai_class_for_status(status))


@functools.cache
def _provider_rate_limit_error() -> type[ProviderError]:
    joined = cast(
        "type[ProviderError]",
        type("ProviderError", (ProviderError, RateLimitError), {"__module__": ProviderError.__module__}),
    )
    joined.__qualname__ = ProviderError.__qualname__
    return joined


class ModelNotFoundError(APIError):
    """The gateway cannot route or price this model name. Check the name; retrying does not help."""

    model: str | None
    """The model name the gateway reported, when it named one."""

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, detail: object = None, model: str | None = None
    ) -> None:
        super().__init__(message, response=response, body=body, detail=detail)
        self.model = model


class ConnectionError(GatewayError, openai.APIConnectionError):
    """No answer from the gateway: it is unreachable, the connection dropped, or a stream was cut short.

    On a timeout the raised error is also an `openai.APITimeoutError`.
    """

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message=message, request=request)

    @classmethod
    def for_timeout(cls, timed_out: bool) -> type[ConnectionError]:
        return _ConnectionTimeout if timed_out else cls


class _ConnectionTimeout(ConnectionError, openai.APITimeoutError):
    """A `ConnectionError` that is also an `openai.APITimeoutError`: the request timed out."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        openai.APIConnectionError.__init__(self, message=message, request=request)


_ConnectionTimeout.__name__ = _ConnectionTimeout.__qualname__ = "ConnectionError"


class UnsupportedFeatureError(GatewayError):
    """Raised before sending: the gateway would silently drop or reject this part of the request.

    `field` names it. Pass `allow_ignored_fields=True` to the client to send ignorable fields anyway.
    """

    field: str
    """The request field, e.g. `tools` or `messages[2].role`."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownResponseError(UnsupportedFeatureError, LookupError):
    """Raised before sending: a Responses id (`previous_response_id`, `retrieve`, ...) this client does not hold.

    The gateway keeps no Responses state, so only responses this client or its copies created, and
    that its store still holds, can be continued, retrieved or deleted. Retrying won't help.
    """

    response_id: str
    """The id that was asked for."""

    def __init__(self, response_id: str, *, field: str) -> None:
        super().__init__(
            f"No response {response_id!r} in this client's response store: OmniGate keeps no Responses state, so "
            f"`{field}` can only name a response this client (or a copy of it) created and still holds. "
            "Nothing was sent.",
            field=field,
        )
        self.response_id = response_id


class ModelOutputError(GatewayError):
    """Raised after the call: the model's answer to an emulated tool call or response format stayed invalid.

    The gateway drops `tools` and `response_format`, so the client asks for them in the prompt and
    checks the answer (unknown tool, arguments or answer against the JSON Schema, tool choice); a
    broken answer is asked again with the problem stated, `max_reasks` times. Retrying the same
    call may help (models vary); a stronger model helps more. `meta(error)` has the summed cost.
    """

    raw_reply: str
    """The model's last answer, as it came."""
    problem: str
    """What was wrong with it, as the model was told."""
    attempts: int
    """How many calls were made, the re-asks included."""

    def __init__(self, message: str, *, raw_reply: str, problem: str, attempts: int) -> None:
        super().__init__(message)
        self.raw_reply = raw_reply
        self.problem = problem
        self.attempts = attempts


class ConfigurationError(GatewayError, ValueError):
    """Raised before sending: a setting is missing or malformed (key, base URL, user id, header)."""


# The names the `omnigate` SDK and other gateway SDKs use, so their `except` clauses keep working.
GatewayClientError = APIError
GatewayAuthError = AuthError
GatewayRateLimitError = RateLimitError
GatewayModelNotFoundError = ModelNotFoundError
GatewayProviderError = ProviderError


def _public_module(*classes: type[Any]) -> None:
    for cls in classes:
        cls.__module__ = "omnigate_openai"


_public_module(
    GatewayError,
    APIError,
    AuthError,
    BudgetExceededError,
    RateLimitError,
    ProviderError,
    ModelNotFoundError,
    ConnectionError,
    _ConnectionTimeout,
    UnsupportedFeatureError,
    ModelOutputError,
    ConfigurationError,
)


class InvalidResponseError(GatewayError, openai.APIResponseValidationError):
    """The gateway answered, but not in the shape its protocol promises: a 200 that is not JSON, invalid
    JSON, or a native stream that is not UTF-8. `str(error)` says what it sent; retrying rarely helps.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        openai.APIResponseValidationError.__init__(self, response=response, body=body, message=message)


class RedirectRefusedError(APIError):
    """The gateway answered a redirect to another origin (scheme, host or port), which was not followed.

    Following it would send the gateway key, the admin key and the request body (which may hold a
    provider key) to that host. `location` names the target; point `base_url` there if it is yours.
    """

    location: str
    """Where the redirect pointed, with any password in it masked."""

    def __init__(self, message: str, *, response: httpx.Response, body: object, location: str) -> None:
        super().__init__(message, response=response, body=body)
        self.location = location


_public_module(InvalidResponseError, RedirectRefusedError)
