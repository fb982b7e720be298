"""`route(model)` and `chat_stream(...)` of `client.gateway`: where a model goes, and the native text stream."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import openai
from openai.types.chat import ChatCompletionChunk
from typing_extensions import Unpack

from ..._request_options import RequestOptions, options
from ..._sdk import AsyncAPIResource, SyncAPIResource
from .._model_route import ModelRoute, model_route
from .._native import Routing, native_chat_body
from .._requests import gateway_model_name
from .._streams import AsyncNativeChatStream, NativeChatStream
from .._wire import NATIVE_CHAT_PATH
from ..types.account import Me

__all__ = ["AsyncNativeChatMethods", "NativeChatMethods", "native_stream_body"]


class NativeChatMethods(SyncAPIResource):
    """`route()` and `chat_stream()` of `client.gateway`."""

    def route(self, model: str, **request: Unpack[RequestOptions]) -> ModelRoute:
        """Which provider `model` goes to and whether this project has a key for it (`GET /v1/me`).

        Lets a missing provider key, or a name the gateway cannot route, be reported before a call fails.
        """
        gateway_model_name(model)  # a bad name is refused before anything is sent
        me = self._get("/me", options=options(request), cast_to=Me)
        return _route(model, me)

    def chat_stream(
        self,
        *,
        model: str,
        messages: Iterable[Mapping[str, Any]],
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stop: str | Sequence[str] | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        seed: int | None = None,
        **request: Unpack[RequestOptions],
    ) -> NativeChatStream[ChatCompletionChunk]:
        """Stream from the native `/v1/chat`: `ChatCompletionChunk`s, or plain text with `.text()`.

        A mid-stream failure raises `ProviderError` with the provider's own status. The native stream
        carries no usage and no finish reason of its own (a clean end is reported as `stop`).
        """
        body = native_stream_body(locals())
        post: Any = self._post  # its overloads can't express "the client's hook picks the stream class"
        stream: NativeChatStream[ChatCompletionChunk] = post(
            NATIVE_CHAT_PATH,
            body=body,
            options=options(request),
            cast_to=ChatCompletionChunk,
            stream=True,
            stream_cls=openai.Stream[ChatCompletionChunk],  # the client's hook makes it a NativeChatStream
        )
        return stream


class AsyncNativeChatMethods(AsyncAPIResource):
    """`route()` and `chat_stream()` of `client.gateway`."""

    async def route(self, model: str, **request: Unpack[RequestOptions]) -> ModelRoute:
        """Which provider `model` goes to and whether this project has a key for it (`GET /v1/me`).

        Lets a missing provider key, or a name the gateway cannot route, be reported before a call fails.
        """
        gateway_model_name(model)  # a bad name is refused before anything is sent
        me = await self._get("/me", options=options(request), cast_to=Me)
        return _route(model, me)

    async def chat_stream(
        self,
        *,
        model: str,
        messages: Iterable[Mapping[str, Any]],
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        stop: str | Sequence[str] | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        seed: int | None = None,
        **request: Unpack[RequestOptions],
    ) -> AsyncNativeChatStream[ChatCompletionChunk]:
        """Stream from the native `/v1/chat`: `ChatCompletionChunk`s, or plain text with `.text()`.

        A mid-stream failure raises `ProviderError` with the provider's own status. The native stream
        carries no usage and no finish reason of its own (a clean end is reported as `stop`).
        """
        body = native_stream_body(locals())
        post: Any = self._post  # its overloads can't express "the client's hook picks the stream class"
        stream: AsyncNativeChatStream[ChatCompletionChunk] = await post(
            NATIVE_CHAT_PATH,
            body=body,
            options=options(request),
            cast_to=ChatCompletionChunk,
            stream=True,
            stream_cls=openai.AsyncStream[ChatCompletionChunk],  # the client's hook makes it a native stream
        )
        return stream


_FIELDS: tuple[str, ...] = (
    "model",
    "messages",
    "max_tokens",
    "temperature",
    "top_p",
    "stop",
    "presence_penalty",
    "frequency_penalty",
)
_FIELDS += ("seed",)


def native_stream_body(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The native stream's `ChatRequest` from `chat_stream`'s arguments, checked before sending."""
    body = {name: arguments[name] for name in _FIELDS if arguments.get(name) is not None}
    body["messages"] = list(body.get("messages") or ())
    return native_chat_body({**body, "stream": True}, Routing())


def _route(model: str, me: object) -> ModelRoute:
    if not isinstance(me, Me):  # `with_raw_response.route(...)`: the raw `/v1/me` answer it is based on
        return cast(ModelRoute, me)
    providers = me.configured_providers  # a list of text unless the answer was odd (kept as sent)
    return model_route(model, [str(p) for p in providers] if isinstance(providers, list) else [])
