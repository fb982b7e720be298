"""Gateway keys of the calling project (`/v1/keys/api`)."""

from __future__ import annotations

from typing import Any, List  # noqa: UP035 - see _LIST_OF_* below
from urllib.parse import quote

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
from ..types.api_keys import ApiKey, CreatedApiKey

__all__ = ["ApiKeys", "AsyncApiKeys"]

# `typing.List`, not `list[...]`: on Python 3.10 `inspect.isclass(list[X])` is true, and the SDK's
# `issubclass(cast_to, ...)` check then fails.
_LIST_OF_APIKEY: Any = List[ApiKey]  # noqa: UP006

_MAX_NAME = 255


class ApiKeys(SyncAPIResource):
    """Gateway keys of this project. A key's secret is returned once, at creation."""

    @cached_property
    def with_raw_response(self) -> ApiKeysWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return ApiKeysWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> ApiKeysWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return ApiKeysWithStreamingResponse(self)

    def create(self, name: str, **request: Unpack[RequestOptions]) -> CreatedApiKey:
        """Mint a named key; its plaintext `api_key` is in this answer only."""
        return self._post("/keys/api", body=_create_body(name), options=options(request), cast_to=CreatedApiKey)

    def list(self, **request: Unpack[RequestOptions]) -> list[ApiKey]:
        """Named keys, oldest first, revoked ones included; never secrets, never the sign-up key."""
        return self._get("/keys/api", options=options(request), cast_to=_LIST_OF_APIKEY)

    def revoke(self, key_id: str, **request: Unpack[RequestOptions]) -> None:
        """Revoke a key at once (idempotent). Any key of the project may revoke any other, or itself."""
        return self._delete(_key_path(key_id), options=options(request), cast_to=type(None))


class AsyncApiKeys(AsyncAPIResource):
    """Gateway keys of this project. A key's secret is returned once, at creation."""

    @cached_property
    def with_raw_response(self) -> AsyncApiKeysWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return AsyncApiKeysWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncApiKeysWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return AsyncApiKeysWithStreamingResponse(self)

    async def create(self, name: str, **request: Unpack[RequestOptions]) -> CreatedApiKey:
        """Mint a named key; its plaintext `api_key` is in this answer only."""
        return await self._post("/keys/api", body=_create_body(name), options=options(request), cast_to=CreatedApiKey)

    async def list(self, **request: Unpack[RequestOptions]) -> list[ApiKey]:
        """Named keys, oldest first, revoked ones included; never secrets, never the sign-up key."""
        return await self._get("/keys/api", options=options(request), cast_to=_LIST_OF_APIKEY)

    async def revoke(self, key_id: str, **request: Unpack[RequestOptions]) -> None:
        """Revoke a key at once (idempotent). Any key of the project may revoke any other, or itself."""
        return await self._delete(_key_path(key_id), options=options(request), cast_to=type(None))


def _create_body(name: str) -> dict[str, object]:
    if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME:
        raise ValueError(f"Expected a key name of 1 to {_MAX_NAME} characters, got {name!r}")
    return {"name": name}


def _key_path(key_id: str) -> str:
    if not isinstance(key_id, str) or not key_id.strip():
        raise ValueError(f"Expected a non-empty key id, got {key_id!r}")
    return "/keys/api/" + quote(key_id, safe="")


class ApiKeysWithRawResponse:
    def __init__(self, api_keys: ApiKeys) -> None:
        self.create = to_raw_response_wrapper(api_keys.create)
        self.list = to_raw_response_wrapper(api_keys.list)
        self.revoke = to_raw_response_wrapper(api_keys.revoke)


class AsyncApiKeysWithRawResponse:
    def __init__(self, api_keys: AsyncApiKeys) -> None:
        self.create = async_to_raw_response_wrapper(api_keys.create)
        self.list = async_to_raw_response_wrapper(api_keys.list)
        self.revoke = async_to_raw_response_wrapper(api_keys.revoke)


class ApiKeysWithStreamingResponse:
    def __init__(self, api_keys: ApiKeys) -> None:
        self.create = to_streamed_response_wrapper(api_keys.create)
        self.list = to_streamed_response_wrapper(api_keys.list)
        self.revoke = to_streamed_response_wrapper(api_keys.revoke)


class AsyncApiKeysWithStreamingResponse:
    def __init__(self, api_keys: AsyncApiKeys) -> None:
        self.create = async_to_streamed_response_wrapper(api_keys.create)
        self.list = async_to_streamed_response_wrapper(api_keys.list)
        self.revoke = async_to_streamed_response_wrapper(api_keys.revoke)
