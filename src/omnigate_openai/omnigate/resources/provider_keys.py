"""Provider keys (BYOK) of the calling project (`POST /v1/keys`): the keys the gateway uses upstream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from typing_extensions import Unpack

from ..._request_options import RequestOptions, options
from ..._sdk import (
    AsyncAPIResource,
    SyncAPIResource,
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
    cached_property,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)

__all__ = ["AsyncProviderKeys", "ProviderKeys", "ProviderName"]

ProviderName = Literal["openai", "anthropic", "gemini", "azure"]
"""The providers OmniGate 0.2 stores keys for."""

PROVIDERS: tuple[str, ...] = ("openai", "anthropic", "gemini", "azure")
_MIN_KEY_LENGTH = 8


class ProviderKeys(SyncAPIResource):
    """Provider keys of this project. They can be set (replaced), never read back."""

    @cached_property
    def with_raw_response(self) -> ProviderKeysWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return ProviderKeysWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> ProviderKeysWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return ProviderKeysWithStreamingResponse(self)

    def set(
        self,
        provider: ProviderName,
        api_key: str,
        *,
        meta: Mapping[str, str] | None = None,
        **request: Unpack[RequestOptions],
    ) -> None:
        """Store (or replace) the project's key for `provider`.

        Azure needs `meta={"endpoint": "https://…", "deployment": "…"}` (`api_version` optional).
        `client.gateway.me().configured_providers` shows which providers have a key.
        """
        return self._post(
            "/keys", body=_set_body(provider, api_key, meta), options=options(request), cast_to=type(None)
        )


class AsyncProviderKeys(AsyncAPIResource):
    """Provider keys of this project. They can be set (replaced), never read back."""

    @cached_property
    def with_raw_response(self) -> AsyncProviderKeysWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return AsyncProviderKeysWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncProviderKeysWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return AsyncProviderKeysWithStreamingResponse(self)

    async def set(
        self,
        provider: ProviderName,
        api_key: str,
        *,
        meta: Mapping[str, str] | None = None,
        **request: Unpack[RequestOptions],
    ) -> None:
        """Store (or replace) the project's key for `provider`.

        Azure needs `meta={"endpoint": "https://…", "deployment": "…"}` (`api_version` optional).
        `client.gateway.me().configured_providers` shows which providers have a key.
        """
        return await self._post(
            "/keys", body=_set_body(provider, api_key, meta), options=options(request), cast_to=type(None)
        )


def _set_body(provider: str, api_key: str, meta: Mapping[str, str] | None) -> dict[str, object]:
    """Refuse what the gateway would refuse, before the key travels anywhere."""
    if provider not in PROVIDERS:
        raise ValueError(f"Input should be 'openai', 'anthropic', 'gemini' or 'azure', got provider={provider!r}")
    if not isinstance(api_key, str) or len(api_key) < _MIN_KEY_LENGTH:
        # Never echo a key, even a malformed one.
        length = len(api_key) if isinstance(api_key, str) else type(api_key).__name__
        raise ValueError(f"Expected a provider key of at least {_MIN_KEY_LENGTH} characters, got {length}")
    body: dict[str, object] = {"provider": provider, "api_key": api_key}
    if provider == "azure":
        meta = meta or {}
        endpoint = meta.get("endpoint")
        if not isinstance(endpoint, str) or not endpoint.startswith("https://"):
            raise ValueError("Azure provider requires meta.endpoint (an https:// URL).")
        if not meta.get("deployment"):
            raise ValueError("Azure provider requires meta.deployment (the deployment name).")
    if meta is not None:
        body["meta"] = dict(meta)
    return body


class ProviderKeysWithRawResponse:
    def __init__(self, provider_keys: ProviderKeys) -> None:
        self.set = to_raw_response_wrapper(provider_keys.set)


class AsyncProviderKeysWithRawResponse:
    def __init__(self, provider_keys: AsyncProviderKeys) -> None:
        self.set = async_to_raw_response_wrapper(provider_keys.set)


class ProviderKeysWithStreamingResponse:
    def __init__(self, provider_keys: ProviderKeys) -> None:
        self.set = to_streamed_response_wrapper(provider_keys.set)


class AsyncProviderKeysWithStreamingResponse:
    def __init__(self, provider_keys: AsyncProviderKeys) -> None:
        self.set = async_to_streamed_response_wrapper(provider_keys.set)
