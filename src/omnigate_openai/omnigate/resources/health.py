"""The gateway's unauthenticated probes (`/health`, `/health/live`, `/health/ready`, `/version`)."""

from __future__ import annotations

from typing import Any

import openai
from typing_extensions import Unpack

from ..._request_options import RequestOptions, options, root_url
from ..._sdk import AsyncAPIResource, SyncAPIResource
from ..types.health import Health, Liveness, Readiness, Version

__all__ = ["AsyncHealthMethods", "HealthMethods"]

_NOT_READY = 503


class HealthMethods(SyncAPIResource):
    """`health()`, `live()`, `ready()` and `version()` of `client.gateway`. None needs a key."""

    def health(self, **request: Unpack[RequestOptions]) -> Health:
        """`GET /health`: the server answers, and which version it is."""
        return self._get(root_url(self._client, "/health"), options=options(request, auth="none"), cast_to=Health)

    def live(self, **request: Unpack[RequestOptions]) -> Liveness:
        """`GET /health/live`: the process is alive."""
        url = root_url(self._client, "/health/live")
        return self._get(url, options=options(request, auth="none"), cast_to=Liveness)

    def ready(self, **request: Unpack[RequestOptions]) -> Readiness:
        """`GET /health/ready`: whether the database and Redis answer. Not ready is an answer, not an error."""
        url = root_url(self._client, "/health/ready")
        try:
            return self._get(url, options=_probe_options(request), cast_to=Readiness)
        except openai.APIStatusError as error:
            return _not_ready(error)

    def version(self, **request: Unpack[RequestOptions]) -> Version:
        """`GET /version`: the server's name and version."""
        return self._get(root_url(self._client, "/version"), options=options(request, auth="none"), cast_to=Version)


class AsyncHealthMethods(AsyncAPIResource):
    """`health()`, `live()`, `ready()` and `version()` of `client.gateway`. None needs a key."""

    async def health(self, **request: Unpack[RequestOptions]) -> Health:
        """`GET /health`: the server answers, and which version it is."""
        url = root_url(self._client, "/health")
        return await self._get(url, options=options(request, auth="none"), cast_to=Health)

    async def live(self, **request: Unpack[RequestOptions]) -> Liveness:
        """`GET /health/live`: the process is alive."""
        url = root_url(self._client, "/health/live")
        return await self._get(url, options=options(request, auth="none"), cast_to=Liveness)

    async def ready(self, **request: Unpack[RequestOptions]) -> Readiness:
        """`GET /health/ready`: whether the database and Redis answer. Not ready is an answer, not an error."""
        url = root_url(self._client, "/health/ready")
        try:
            return await self._get(url, options=_probe_options(request), cast_to=Readiness)
        except openai.APIStatusError as error:
            return _not_ready(error)

    async def version(self, **request: Unpack[RequestOptions]) -> Version:
        """`GET /version`: the server's name and version."""
        url = root_url(self._client, "/version")
        return await self._get(url, options=options(request, auth="none"), cast_to=Version)


def _probe_options(request: RequestOptions) -> Any:
    built = options(request, auth="none")
    built["max_retries"] = 0  # a 503 here is the answer; retrying it only delays it
    return built


def _not_ready(error: openai.APIStatusError) -> Readiness:
    """A 503 with the readiness shape is the answer `not_ready`; anything else stays an error."""
    if error.status_code != _NOT_READY:
        raise error
    try:
        body = error.response.json()
    except ValueError:
        raise error from None
    if not isinstance(body, dict) or "status" not in body:
        raise error
    return Readiness.construct(**body)
