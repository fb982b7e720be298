"""GatewayProfile: everything that makes a client talk to one particular gateway, behind one seam.

The clients in `_client.py` know the OpenAI SDK and nothing of any gateway: each of their hooks is
one call into the profile of their class (`_profile`), and each gateway is one package holding its
profile (`omnigate/` is the first; a second gateway is a second package, with no edit to the core).

What a profile holds, and the hook of the client that asks for it:

    configuration     name, api_path, env, user_header, max_user_id_length   Settings.resolve, __init__
                      default_model                                          the framework helpers' `model=` default
    credentials       auth_headers(settings, bearer_auth=)                   _auth_headers
                      default_headers(settings)                              default_headers
                      validate_headers(settings, headers, require_credentials=)  _validate_headers
                      refresh_credentials / arefresh_credentials(settings, error)   request (once per call)
    request policy    unsupported_endpoints, lacked_endpoint(options)        _prepare_options (core refuses)
                      emulates_tools                                         (read by tool/structured-output emulation)
                      emulates_verbosity_for(model)                          (read by the same emulation)
                      prepare_request(options, client)                       _prepare_options
    errors            status_error(response, body)                           _make_status_error
    retries           vetoes_retry(status, headers)                          _should_retry
    answers           note_response(options, response)                       _process_response (before parsing)
                      answer(data, cast_to=, response=, prices=)             _process_response_data
    metadata          meta_from_headers(headers, **facts)                    errors, streams, raw responses
    streams           stream_class(stream_cls, options, asynchronous=)       _process_response
                      stream_failure(frame), stream_error(response, failure) GatewayStream / AsyncGatewayStream
                      stream_meta(meta, frame, prices)                       a stream's usage chunk
    pricing           prices_path, wants_prices(options), price_cache()      _prepare_options (fetch once per client)
                      priced_model(model, prices)                            the guard's reservation (`guard/`)
    chat calls        chat_paths                                             the guard's hooks (which calls it checks)
    gateway-only APIs gateway(client), async_gateway(client)                 client.gateway

A subclass overrides what its gateway does differently; the defaults describe a plain
OpenAI-compatible gateway (every endpoint served, no emulation, the SDK's own errors and retries,
no metadata beyond the request id, no pricing, no `client.gateway`). Profiles are stateless and
shared by every client of their class: per-client state (credentials that refresh, for instance)
lives in the `Settings` object the profile's own client builds (a dataclass subclass is fine),
which `copy()` carries over to the copies.

Floors: this module imports only vocabulary (`_exceptions`, `_meta`, `_sdk`); the clients import it;
no profile imports `_client.py` at module level.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ._meta import GatewayMeta
from ._sdk import CHAT_COMPLETIONS_PATH, FinalRequestOptions, httpx

if TYPE_CHECKING:
    from ._config import Settings
    from ._exceptions import APIError

__all__ = ["EnvNames", "GatewayProfile", "PriceCache", "Prices"]

Prices = Mapping[str, tuple[float, float]]
"""Model id -> (USD per 1,000 prompt tokens, USD per 1,000 completion tokens)."""


class PriceCache(Protocol):
    """A gateway's prices, fetched at most once per client and its copies on the same gateway."""

    @property
    def prices(self) -> Prices | None:
        """What is known now; None before the first successful fetch."""

    def load(self, fetch: Callable[[], object]) -> Prices | None:
        """Fetch (`fetch()` answers `GET prices_path`) unless the prices are known; never raises."""

    async def aload(self, fetch: Callable[[], Awaitable[object]]) -> Prices | None:
        """`load` for the async client."""


class EnvNames(NamedTuple):  # not a dataclass: a quarter of its import time
    """The environment variables a gateway's client reads when an argument is not given."""

    api_key: str
    """The credential, e.g. `OMNIGATE_API_KEY`."""
    base_url: str
    """The gateway's URL, e.g. `OMNIGATE_BASE_URL`."""
    user_id: str | None = None
    """Per-user attribution, e.g. `OMNIGATE_USER_ID`; None where the gateway has none."""
    admin_key: str | None = None
    """An operator credential, e.g. `OMNIGATE_ADMIN_KEY`; None where the gateway has none."""


class GatewayProfile:
    """The facts and decisions of one gateway. Subclass it; override what the gateway does its own way."""

    name: str = "the gateway"
    """How errors name the gateway: "OmniGate has no `embeddings` endpoint ..."."""

    api_path: str = "/v1"
    """The OpenAI-compatible API under the gateway's root URL (OmniGate `/v1`); stripped from a given URL."""

    env: EnvNames = EnvNames(api_key="GATEWAY_API_KEY", base_url="GATEWAY_BASE_URL")
    """Which environment variables configure a client; `OPENAI_*` are never read."""

    user_header: str | None = None
    """The header that attributes a call to an end user (OmniGate's user-id header); None: the gateway has none."""

    default_model: str = "gpt-4o-mini"
    """The model a framework helper (`integrations/`) is built for when it is given no `model=`: a name
    this gateway routes (OmniGate's are bare, Flow's `provider/model`)."""

    max_user_id_length: int | None = None
    """The longest user id the gateway stores; longer ones are refused before sending."""

    secret_headers: frozenset[str] = frozenset()
    """Headers that carry credentials, masked in every repr, log line and pickled error (`_masking.py`)
    besides `Authorization` (OmniGate: its gateway-key and admin-key headers)."""

    emulates_tools: bool = False
    """Request policy: True when the gateway drops `tools` / `response_format`, so that they must be
    emulated by prompt (OmniGate); False when the gateway honours them natively (a LiteLLM gateway).
    Until emulation exists, a gateway that would drop them gets them refused (`UnsupportedFeatureError`)
    unless the client was built with `allow_ignored_fields=True`: today's behaviour."""

    unsupported_endpoints: Mapping[str, str] = {}
    """Request policy: the SDK resources the gateway lacks, by the first segment of their path under
    `api_path` (`"embeddings": "client.embeddings"`). A call to one is refused before sending with
    `UnsupportedFeatureError` naming the endpoint and the gateway (see `lacked_endpoint`)."""

    prices_path: str | None = None
    """Where the gateway lists its prices (OmniGate `GET /v1/models`); None: the client never prices calls."""

    chat_paths: tuple[str, ...] = (CHAT_COMPLETIONS_PATH,)
    """The routes of chat calls, as `prepare_request` leaves them: the first is OpenAI's, any other is the
    gateway's own (OmniGate's native `/chat`). A guard (`client.with_guard`) checks and settles these."""

    # --- credentials -------------------------------------------------------------------------------

    def auth_headers(self, settings: Settings, *, bearer_auth: bool) -> dict[str, str]:
        """The credential headers of a call; `bearer_auth` is False for calls that need none (signup, health)."""
        key = settings.api_key
        return {} if key is None or not bearer_auth else {"Authorization": f"Bearer {key.reveal()}"}

    def default_headers(self, settings: Settings) -> dict[str, str]:
        """Headers sent with every call besides credentials (the user header); a caller's own header wins."""
        if self.user_header is None or settings.user_id is None:
            return {}
        return {self.user_header: settings.user_id}

    def validate_headers(self, settings: Settings, headers: Mapping[str, object], *, require_credentials: bool) -> None:
        """Refuse a call before sending: a malformed header value, or no credential when one is required."""

    def refresh_credentials(self, settings: Settings, error: APIError) -> bool:  # noqa: ARG002
        """After `error`, renew the credential (a JWT that expired) and say whether to send the call once more.

        Called at most once per call (streams too: their status arrives before the first byte).
        The default never refreshes.
        """
        return False

    async def arefresh_credentials(self, settings: Settings, error: APIError) -> bool:  # noqa: ARG002
        """`refresh_credentials` for the async client: the refresh callback may be awaited."""
        return False

    # --- request policy ----------------------------------------------------------------------------

    def lacked_endpoint(self, options: FinalRequestOptions) -> str | None:
        """The SDK resource this call belongs to if the gateway lacks it (`client.embeddings`), else None.

        Absolute URLs (a gateway's own routes outside `api_path`) are never refused here.
        """
        url = options.url
        if not self.unsupported_endpoints or "://" in url:
            return None
        segment = url.lstrip("/").split("/", 1)[0].split("?", 1)[0]
        return self.unsupported_endpoints.get(segment)

    def emulates_verbosity_for(self, model: object) -> bool:  # noqa: ARG002
        """True when the gateway can't honour `verbosity` for `model` (OmniGate drops it, LiteLLM refuses it but
        for the GPT-5 family), so the client takes it out of the chat body and says it in the system message
        (`_verbosity.py`), for chat calls and Responses' `text.verbosity` alike; False (the default) when the
        gateway passes it to the model. `model` is the body's, as sent (not always a string)."""
        return False

    def why_no_reasoning_effort(self, model: object) -> str | None:  # noqa: ARG002
        """Why the gateway's chat route cannot carry `reasoning_effort` to `model`, or None where it can: a
        Responses call served over chat (`_responses_request.py`) then sends `reasoning.effort` as it, and is
        refused with this reason otherwise. The default: the gateway drops the field (OmniGate)."""
        return "the gateway's chat route cannot pass reasoning settings to the model"

    def judged_model_name(self, model: str) -> str:
        """The OpenAI model name a framework that reads a model's rules off its name (LangChain: no `temperature`
        but 1 for a name starting `gpt-5`, the context window from a table of OpenAI's names) should judge `model`
        by. The default, `model` itself, suits a gateway that routes OpenAI's names as they are (OmniGate); Flow
        names the model LiteLLM serves a `provider/model` name as."""
        return model

    def prepare_request(self, options: FinalRequestOptions, client: Any) -> FinalRequestOptions:  # noqa: ARG002
        """The request as the gateway must receive it: refuse what it would drop, rewrite what it can't read.

        `client` is the gateway client making the call (its public `settings` and `routing`).
        """
        return options

    # --- answers -----------------------------------------------------------------------------------

    def status_error(self, response: httpx.Response, body: object) -> APIError:
        """The typed error for a non-2xx answer; `body` is the parsed JSON, or the text if it was not JSON."""
        from ._exceptions import APIError

        message = body.get("message") if isinstance(body, Mapping) else body
        text = str(message).strip() if message else f"{self.name} answered HTTP {response.status_code}"
        return APIError.for_status(response.status_code)(text, response=response, body=body, detail=text)

    def vetoes_retry(self, status: int, headers: Mapping[str, str]) -> bool:  # noqa: ARG002
        """True when the SDK would retry but must not (the gateway already retried upstream)."""
        return False

    def meta_from_headers(self, headers: Mapping[str, str], **facts: Any) -> GatewayMeta:
        """What the response headers say about a call; `facts` (from the body) take precedence."""
        return GatewayMeta(**{"request_id": headers.get("x-request-id"), **facts})

    def note_response(self, options: FinalRequestOptions, response: httpx.Response) -> None:
        """Keep what the answer's metadata will need from the request (OmniGate: the model it named)."""

    def answer(
        self,
        data: object,
        *,
        cast_to: object,  # noqa: ARG002
        response: httpx.Response,
        prices: Prices | None,  # noqa: ARG002
    ) -> tuple[object, GatewayMeta | None]:
        """(the data the SDK builds `cast_to` from, the metadata to attach to the result or None).

        By default what the headers say: `meta()` of a result then answers as of its raw response and its
        stream (and the Responses API, served over chat, hands it on)."""
        return data, self.meta_from_headers(response.headers)

    # --- streams -----------------------------------------------------------------------------------

    def stream_class(self, stream_cls: Any, options: FinalRequestOptions, *, asynchronous: bool) -> Any:  # noqa: ARG002
        """The stream class for a streamed call; the SDK asks for `Stream[Chunk]` / `AsyncStream[Chunk]`."""
        import openai

        from ._streaming import AsyncGatewayStream, GatewayStream

        if getattr(stream_cls, "__origin__", None) not in (openai.Stream, openai.AsyncStream):
            return stream_cls
        chosen: Any = AsyncGatewayStream if asynchronous else GatewayStream
        return chosen[stream_cls.__args__[0]]

    def stream_failure(self, frame: object) -> Mapping[str, Any] | None:
        """The error object of an in-band failure frame of an SSE stream, or None for an ordinary chunk."""
        if isinstance(frame, Mapping):
            error = frame.get("error")
            if isinstance(error, Mapping):
                return error
            if error:
                return {"message": str(error)}
        return None

    def stream_error(self, response: httpx.Response, failure: Mapping[str, object]) -> APIError:
        """The typed error an in-band failure frame raises (the HTTP status was 200)."""
        from ._exceptions import APIError

        message = str(failure.get("message") or f"{self.name} failed during the stream")
        return APIError.for_status(502)(message, response=response, body=dict(failure), detail=message)

    def stream_meta(self, meta: GatewayMeta, frame: Mapping[str, Any], prices: Prices | None) -> GatewayMeta:  # noqa: ARG002
        """A stream's metadata once its usage chunk arrived (priced, where the gateway prices calls)."""
        return meta

    # --- pricing -----------------------------------------------------------------------------------

    def wants_prices(self, options: FinalRequestOptions) -> bool:  # noqa: ARG002
        """Whether this call's metadata needs the gateway's prices (fetched once per client, before the call)."""
        return False

    def price_cache(self) -> PriceCache | None:
        """A new, empty price cache for a client (its copies on the same gateway share it); None: no pricing."""
        return None

    def priced_model(self, model: str, prices: Prices) -> str | None:
        """The key of `prices` that prices a call of `model` (the gateway's aliases resolved), or None."""
        return model if model in prices else None

    # --- gateway-only APIs -------------------------------------------------------------------------

    def gateway(self, client: Any) -> Any:  # noqa: ARG002
        """`client.gateway` of a sync client: the gateway's own APIs (imported here, on first use)."""
        raise AttributeError(f"{self.name} has no gateway-only APIs (`client.gateway`)")

    def async_gateway(self, client: Any) -> Any:  # noqa: ARG002
        """`client.gateway` of an async client."""
        raise AttributeError(f"{self.name} has no gateway-only APIs (`client.gateway`)")
