"""`client.gateway`: the gateway's own APIs, beside the OpenAI ones, on the SDK's resource machinery.

Auth, retries, typed errors and `with_raw_response` / `with_streaming_response` come from the SDK.
The methods live in one module per endpoint family; this namespace joins them and mounts the
sub-namespaces (`api_keys`, `provider_keys`, `admin`).
"""

from __future__ import annotations

from ..._sdk import (
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
    cached_property,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)
from .account import AccountMethods, AsyncAccountMethods
from .admin import (
    Admin,
    AdminWithRawResponse,
    AdminWithStreamingResponse,
    AsyncAdmin,
    AsyncAdminWithRawResponse,
    AsyncAdminWithStreamingResponse,
)
from .api_keys import (
    ApiKeys,
    ApiKeysWithRawResponse,
    ApiKeysWithStreamingResponse,
    AsyncApiKeys,
    AsyncApiKeysWithRawResponse,
    AsyncApiKeysWithStreamingResponse,
)
from .health import AsyncHealthMethods, HealthMethods
from .metrics import AsyncMetricsMethods, MetricsMethods
from .models import AsyncModelsMethods, ModelsMethods
from .native_chat import AsyncNativeChatMethods, NativeChatMethods
from .provider_keys import (
    AsyncProviderKeys,
    AsyncProviderKeysWithRawResponse,
    AsyncProviderKeysWithStreamingResponse,
    ProviderKeys,
    ProviderKeysWithRawResponse,
    ProviderKeysWithStreamingResponse,
)

__all__ = ["AsyncGateway", "Gateway"]


class Gateway(ModelsMethods, MetricsMethods, AccountMethods, HealthMethods, NativeChatMethods):
    """The gateway's own APIs: models with prices, metrics, keys, account, health and operator calls."""

    @cached_property
    def api_keys(self) -> ApiKeys:
        """Gateway keys of this project: create (secret shown once), list, revoke."""
        return ApiKeys(self._client)

    @cached_property
    def provider_keys(self) -> ProviderKeys:
        """Provider keys (BYOK) the gateway uses upstream for this project."""
        return ProviderKeys(self._client)

    @cached_property
    def admin(self) -> Admin:
        """Operator calls with `x-admin-key`: organisations, projects, org metrics."""
        return Admin(self._client)

    @cached_property
    def with_raw_response(self) -> GatewayWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return GatewayWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> GatewayWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return GatewayWithStreamingResponse(self)


class AsyncGateway(
    AsyncModelsMethods, AsyncMetricsMethods, AsyncAccountMethods, AsyncHealthMethods, AsyncNativeChatMethods
):
    """The gateway's own APIs: models with prices, metrics, keys, account, health and operator calls."""

    @cached_property
    def api_keys(self) -> AsyncApiKeys:
        """Gateway keys of this project: create (secret shown once), list, revoke."""
        return AsyncApiKeys(self._client)

    @cached_property
    def provider_keys(self) -> AsyncProviderKeys:
        """Provider keys (BYOK) the gateway uses upstream for this project."""
        return AsyncProviderKeys(self._client)

    @cached_property
    def admin(self) -> AsyncAdmin:
        """Operator calls with `x-admin-key`: organisations, projects, org metrics."""
        return AsyncAdmin(self._client)

    @cached_property
    def with_raw_response(self) -> AsyncGatewayWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return AsyncGatewayWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncGatewayWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return AsyncGatewayWithStreamingResponse(self)


class GatewayWithRawResponse:
    def __init__(self, gateway: Gateway) -> None:
        self.models = to_raw_response_wrapper(gateway.models)
        self.model = to_raw_response_wrapper(gateway.model)
        self.metrics = to_raw_response_wrapper(gateway.metrics)
        self.me = to_raw_response_wrapper(gateway.me)
        self.signup = to_raw_response_wrapper(gateway.signup)
        self.health = to_raw_response_wrapper(gateway.health)
        self.live = to_raw_response_wrapper(gateway.live)
        self.ready = to_raw_response_wrapper(gateway.ready)
        self.version = to_raw_response_wrapper(gateway.version)
        self.route = to_raw_response_wrapper(gateway.route)
        self.chat_stream = to_raw_response_wrapper(gateway.chat_stream)
        self.api_keys = ApiKeysWithRawResponse(gateway.api_keys)
        self.provider_keys = ProviderKeysWithRawResponse(gateway.provider_keys)
        self.admin = AdminWithRawResponse(gateway.admin)


class AsyncGatewayWithRawResponse:
    def __init__(self, gateway: AsyncGateway) -> None:
        self.models = async_to_raw_response_wrapper(gateway.models)
        self.model = async_to_raw_response_wrapper(gateway.model)
        self.metrics = async_to_raw_response_wrapper(gateway.metrics)
        self.me = async_to_raw_response_wrapper(gateway.me)
        self.signup = async_to_raw_response_wrapper(gateway.signup)
        self.health = async_to_raw_response_wrapper(gateway.health)
        self.live = async_to_raw_response_wrapper(gateway.live)
        self.ready = async_to_raw_response_wrapper(gateway.ready)
        self.version = async_to_raw_response_wrapper(gateway.version)
        self.route = async_to_raw_response_wrapper(gateway.route)
        self.chat_stream = async_to_raw_response_wrapper(gateway.chat_stream)
        self.api_keys = AsyncApiKeysWithRawResponse(gateway.api_keys)
        self.provider_keys = AsyncProviderKeysWithRawResponse(gateway.provider_keys)
        self.admin = AsyncAdminWithRawResponse(gateway.admin)


class GatewayWithStreamingResponse:
    def __init__(self, gateway: Gateway) -> None:
        self.models = to_streamed_response_wrapper(gateway.models)
        self.model = to_streamed_response_wrapper(gateway.model)
        self.metrics = to_streamed_response_wrapper(gateway.metrics)
        self.me = to_streamed_response_wrapper(gateway.me)
        self.signup = to_streamed_response_wrapper(gateway.signup)
        self.health = to_streamed_response_wrapper(gateway.health)
        self.live = to_streamed_response_wrapper(gateway.live)
        self.ready = to_streamed_response_wrapper(gateway.ready)
        self.version = to_streamed_response_wrapper(gateway.version)
        self.route = to_streamed_response_wrapper(gateway.route)
        self.chat_stream = to_streamed_response_wrapper(gateway.chat_stream)
        self.api_keys = ApiKeysWithStreamingResponse(gateway.api_keys)
        self.provider_keys = ProviderKeysWithStreamingResponse(gateway.provider_keys)
        self.admin = AdminWithStreamingResponse(gateway.admin)


class AsyncGatewayWithStreamingResponse:
    def __init__(self, gateway: AsyncGateway) -> None:
        self.models = async_to_streamed_response_wrapper(gateway.models)
        self.model = async_to_streamed_response_wrapper(gateway.model)
        self.metrics = async_to_streamed_response_wrapper(gateway.metrics)
        self.me = async_to_streamed_response_wrapper(gateway.me)
        self.signup = async_to_streamed_response_wrapper(gateway.signup)
        self.health = async_to_streamed_response_wrapper(gateway.health)
        self.live = async_to_streamed_response_wrapper(gateway.live)
        self.ready = async_to_streamed_response_wrapper(gateway.ready)
        self.version = async_to_streamed_response_wrapper(gateway.version)
        self.route = async_to_streamed_response_wrapper(gateway.route)
        self.chat_stream = async_to_streamed_response_wrapper(gateway.chat_stream)
        self.api_keys = AsyncApiKeysWithStreamingResponse(gateway.api_keys)
        self.provider_keys = AsyncProviderKeysWithStreamingResponse(gateway.provider_keys)
        self.admin = AsyncAdminWithStreamingResponse(gateway.admin)
