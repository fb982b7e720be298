"""GatewayStream / AsyncGatewayStream: the SDK's stream classes, made to fail loudly.

They replace `openai.Stream` for every streamed call of a gateway client (`create(stream=True)`,
`with_streaming_response`, the `.stream()` helpers), so that an in-band failure frame raises a
typed `ProviderError` with the provider's real status instead of a bare `openai.APIError`, and a
stream cut before its end marker raises `ConnectionError` instead of ending quietly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import openai
from typing_extensions import override

from ._classify import stream_error
from ._exceptions import ConnectionError
from ._meta import attach_meta, meta_from_headers
from ._sdk import httpx
from ._stream_parsing import is_end_marker, stream_failure

__all__ = ["AsyncGatewayStream", "GatewayStream"]

_T = TypeVar("_T")

_CUT_SHORT = "The gateway's stream ended before its end marker: the connection was closed mid-stream"


class GatewayStream(openai.Stream[_T]):
    """A synchronous stream of chunks from the gateway."""

    @override
    def __stream__(self) -> Iterator[_T]:
        attach_meta(self, meta_from_headers(self.response.headers))
        try:
            for event in self._iter_events():
                if is_end_marker(event.data):
                    return
                yield _chunk(self, event.data)
        except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
            raise _cut(exc, self.response) from exc
        finally:
            self.response.close()
        raise ConnectionError(_CUT_SHORT, request=self.response.request)


class AsyncGatewayStream(openai.AsyncStream[_T]):
    """An asynchronous stream of chunks from the gateway."""

    @override
    async def __stream__(self) -> AsyncIterator[_T]:
        attach_meta(self, meta_from_headers(self.response.headers))
        try:
            async for event in self._iter_events():
                if is_end_marker(event.data):
                    return
                yield _chunk(self, event.data)
        except (openai.APIConnectionError, httpx.TransportError) as exc:  # openai 2.x lets httpx errors through
            raise _cut(exc, self.response) from exc
        finally:
            await self.response.aclose()
        raise ConnectionError(_CUT_SHORT, request=self.response.request)


def _chunk(stream: openai.Stream[Any] | openai.AsyncStream[Any], data: str) -> Any:
    frame = json.loads(data)
    failure = stream_failure(frame)
    if failure is not None:
        raise stream_error(stream.response, failure)
    return stream._client._process_response_data(data=frame, cast_to=stream._cast_to, response=stream.response)


def _cut(exc: Exception, response: httpx.Response) -> ConnectionError:
    timed_out = isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException))
    message = "The gateway's stream timed out" if timed_out else _CUT_SHORT
    return ConnectionError.for_timeout(timed_out)(message, request=response.request)
