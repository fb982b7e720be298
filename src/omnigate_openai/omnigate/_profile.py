"""OmniGateProfile: OmniGate 0.2's answers to the questions `GatewayProfile` asks, one call each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import openai

from .._config import check_user_id
from .._exceptions import ConfigurationError
from .._meta import GatewayMeta
from .._profile import EnvNames, GatewayProfile, PriceCache, Prices
from .._sdk import FinalRequestOptions, httpx
from .._streaming import AsyncGatewayStream, GatewayStream
from . import _answers, _errors, _metadata, _pricing, _retries, _routing, _stream_dialects
from ._credentials import auth_headers
from ._echoes import mask_echoes_in_answer, without_echoes
from ._endpoints import UNSUPPORTED_ENDPOINTS, lacked_method
from ._shapes import not_the_gateway_shape, unpriceable_card
from ._wire import ADMIN_KEY_HEADER, API_KEY_HEADER, CHAT_COMPLETIONS_PATH, NATIVE_CHAT_PATH

if TYPE_CHECKING:
    from .._config import Settings
    from .._exceptions import APIError

__all__ = ["OMNIGATE", "OmniGateProfile"]


class OmniGateProfile(GatewayProfile):
    """OmniGate: `x-api-key`, `x-user-id`, two error envelopes, two stream dialects, client-side pricing."""

    name = "OmniGate"
    api_path = "/v1"
    env = EnvNames(
        api_key="OMNIGATE_API_KEY",
        base_url="OMNIGATE_BASE_URL",
        user_id="OMNIGATE_USER_ID",
        admin_key="OMNIGATE_ADMIN_KEY",
    )
    default_model = "gpt-4o-mini"
    user_header = "x-user-id"
    max_user_id_length = 255
    secret_headers = frozenset({API_KEY_HEADER, ADMIN_KEY_HEADER})
    emulates_tools = True  # OmniGate drops `tools` and `response_format`
    prices_path = "/models"
    chat_paths = (CHAT_COMPLETIONS_PATH, NATIVE_CHAT_PATH)
    unsupported_endpoints = UNSUPPORTED_ENDPOINTS

    def emulates_verbosity_for(self, model: object) -> bool:  # noqa: ARG002
        return True  # OmniGate drops `verbosity` too, silently, whatever the model

    def auth_headers(self, settings: Settings, *, bearer_auth: bool) -> dict[str, str]:
        return auth_headers(settings, bearer_auth=bearer_auth)

    def validate_headers(self, settings: Settings, headers: Mapping[str, object], *, require_credentials: bool) -> None:
        for name, value in headers.items():
            if name.lower() == self.user_header and isinstance(value, str):
                check_user_id(value, profile=self)
        if settings.api_key is None and settings.admin_key is None and require_credentials:
            raise ConfigurationError(f"Missing gateway key: pass `api_key=` or set `{self.env.api_key}`.")

    def lacked_endpoint(self, options: FinalRequestOptions) -> str | None:
        found = super().lacked_endpoint(options)
        if found is None and "://" not in options.url:
            found = lacked_method(options.method, options.url)
        return found

    def prepare_request(self, options: FinalRequestOptions, client: Any) -> FinalRequestOptions:
        settings: Settings = client.settings
        return _routing.chat_request(
            options,
            routing=client.routing,
            allow_ignored_fields=settings.allow_ignored_fields,
        )

    def status_error(self, response: httpx.Response, body: object) -> APIError:
        mask_echoes_in_answer(response)
        return _errors.status_error(response, without_echoes(body, response.request))

    def vetoes_retry(self, status: int, headers: Mapping[str, str]) -> bool:
        return _retries.vetoes_retry(status, headers)

    def meta_from_headers(self, headers: Mapping[str, str], **facts: Any) -> GatewayMeta:
        return _metadata.meta_from_headers(headers, **facts)

    def note_response(self, options: FinalRequestOptions, response: httpx.Response) -> None:
        _answers.remember_requested_model(options, response)

    def answer(
        self, data: object, *, cast_to: object, response: httpx.Response, prices: Prices | None
    ) -> tuple[object, GatewayMeta | None]:
        odd = not_the_gateway_shape(data, cast_to, response) or unpriceable_card(data, cast_to, response)
        if odd is not None:  # `client.gateway`'s answers
            raise odd
        return _answers.chat_result(data, cast_to, response, prices)

    def stream_class(self, stream_cls: Any, options: FinalRequestOptions, *, asynchronous: bool) -> Any:
        if getattr(stream_cls, "__origin__", None) not in (openai.Stream, openai.AsyncStream):
            return stream_cls
        if options.url == NATIVE_CHAT_PATH:  # only with routing: its streams load with the first such call
            from ._streams import AsyncNativeChatStream, NativeChatStream

            chosen: Any = AsyncNativeChatStream if asynchronous else NativeChatStream
        else:
            chosen = AsyncGatewayStream if asynchronous else GatewayStream
        return chosen[stream_cls.__args__[0]]

    def stream_failure(self, frame: object) -> Mapping[str, Any] | None:
        return _stream_dialects.stream_failure(frame)

    def stream_error(self, response: httpx.Response, failure: Mapping[str, object]) -> APIError:
        return _errors.stream_error(response, without_echoes(failure, response.request))

    def stream_meta(self, meta: GatewayMeta, frame: Mapping[str, Any], prices: Prices | None) -> GatewayMeta:
        # A compat stream names only the *requested* model: `price_call` prices it where that is exact.
        model = str(frame.get("model") or "")
        cost = _pricing.price_call(prices, model, frame["usage"], stream=True)
        provider = _pricing.provider_for_model(model)
        return meta.replace(provider=provider, cost_usd=cost.usd, cost_note=cost.note, fallback_used=False)

    def wants_prices(self, options: FinalRequestOptions) -> bool:
        # Only a compat chat call needs the client's prices: the native route reports its cost.
        return options.url == CHAT_COMPLETIONS_PATH and options.method.lower() == "post"

    def priced_model(self, model: str, prices: Prices) -> str | None:
        return _pricing.resolve_priced_model(model, prices)  # dated and portable names

    def price_cache(self) -> PriceCache:
        return _pricing.PriceCache()

    def gateway(self, client: Any) -> Any:
        from .resources.gateway import Gateway

        return Gateway(client)

    def async_gateway(self, client: Any) -> Any:
        from .resources.gateway import AsyncGateway

        return AsyncGateway(client)


OMNIGATE = OmniGateProfile()
"""The profile of `omnigate_openai.OpenAI` / `AsyncOpenAI`."""
