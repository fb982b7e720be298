"""`client.gateway` of a Flow client: the platform's model discovery, beside the OpenAI-compatible API.

These routes live outside `/api/v1/gateway/v1`, so they are called by absolute URL; they still go
through the SDK's machinery, so the credential, its renewal on a 401, retries and typed errors apply.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import quote

from openai.types import Model
from typing_extensions import TypedDict, Unpack

from .._sdk import (
    AsyncAPIResource,
    Body,
    Headers,
    NotGiven,
    Query,
    SDKRequestOptions,
    SyncAPIResource,
    Timeout,
    make_request_options,
    not_given,
)
from ._wire import DEFAULT_SCOPE, DISCOVERY_PATH, PROVIDERS_PATH
from .types import ProviderModels, Providers

__all__ = ["AsyncFlowGateway", "FlowGateway", "RequestOptions"]


class RequestOptions(TypedDict, total=False):
    """The SDK's per-call pass-through options."""

    extra_headers: Headers | None
    extra_query: Query | None
    extra_body: Body | None
    timeout: float | Timeout | NotGiven | None


class FlowGateway(SyncAPIResource):
    """Model discovery on the Flow gateway (`client.gateway`)."""

    def models(self, **request: Unpack[RequestOptions]) -> list[Model]:
        """Every model the gateway routes (`GET /api/v1/gateway/v1/models`), as the Flow SDK's `list_models()`."""
        return list(self._client.models.list(**request).data or ())  # an answer without `data`: none

    def provider_models(
        self, provider: str, *, scope: str = DEFAULT_SCOPE, **request: Unpack[RequestOptions]
    ) -> ProviderModels:
        """The models one provider offers in `scope` (`organization` by default)."""
        url, query = _provider_models_call(self._client, provider, scope)
        return self._get(url, options=_options(request, query), cast_to=ProviderModels)

    def providers(self, **request: Unpack[RequestOptions]) -> Providers:
        """Every provider the gateway knows (`.providers`, a list of names)."""
        return self._get(_absolute(self._client, PROVIDERS_PATH), options=_options(request), cast_to=Providers)


class AsyncFlowGateway(AsyncAPIResource):
    """Model discovery on the Flow gateway (`client.gateway`), for `AsyncOpenAI`."""

    async def models(self, **request: Unpack[RequestOptions]) -> list[Model]:
        """Every model the gateway routes (`GET /api/v1/gateway/v1/models`), as the Flow SDK's `list_models()`."""
        page = await self._client.models.list(**request)
        return list(page.data or ())

    async def provider_models(
        self, provider: str, *, scope: str = DEFAULT_SCOPE, **request: Unpack[RequestOptions]
    ) -> ProviderModels:
        """The models one provider offers in `scope` (`organization` by default)."""
        url, query = _provider_models_call(self._client, provider, scope)
        return await self._get(url, options=_options(request, query), cast_to=ProviderModels)

    async def providers(self, **request: Unpack[RequestOptions]) -> Providers:
        """Every provider the gateway knows (`.providers`, a list of names)."""
        return await self._get(_absolute(self._client, PROVIDERS_PATH), options=_options(request), cast_to=Providers)


def _provider_models_call(client: object, provider: str, scope: str) -> tuple[str, dict[str, str]]:
    """Checked before sending: an empty name would list nothing useful; a `/`, `.` or `..` would reach another route."""
    if not isinstance(provider, str) or not provider.strip() or "/" in provider or provider in (".", ".."):
        raise ValueError(f"Expected `provider` to be a provider name such as 'openai', got {provider!r}")
    if not isinstance(scope, str) or not scope.strip():
        raise ValueError(f"Expected `scope` to be a non-empty string such as 'organization', got {scope!r}")
    return _absolute(client, f"{DISCOVERY_PATH}/{quote(provider, safe='')}"), {"scope": scope}


def _absolute(client: object, path: str) -> str:
    root: str = cast(Any, client).settings.root_url
    return root + path


def _options(request: RequestOptions, query: Query | None = None) -> SDKRequestOptions:
    return make_request_options(
        query=query,
        extra_headers=request.get("extra_headers"),
        extra_query=request.get("extra_query"),
        extra_body=request.get("extra_body"),
        timeout=request.get("timeout", not_given),
        security={"bearer_auth": True},
    )
