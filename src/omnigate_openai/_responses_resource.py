"""`client.responses`: the SDK's Responses resource, served over the gateway's chat route.

OmniGate has no `/v1/responses`. These subclasses keep every method of the SDK's resource with its
exact signature (`create`, `parse`, `stream`, `retrieve`, `delete`, `cancel`, ...) and change only
where its requests go: each generated method ends in the resource's `_post` / `_get` / `_delete`,
which here answer from the client's own `chat.completions.create` (so the key, user id, retries,
routing, typed errors and `meta()` all apply) and from the client's response store. What chat
completions cannot serve is refused before sending (`UnsupportedFeatureError`, naming it).
"""

from __future__ import annotations

import inspect
import re
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from openai.resources.responses import AsyncResponses as SDKAsyncResponses
from openai.resources.responses import Responses as SDKResponses
from openai.resources.responses.input_items import AsyncInputItems as SDKAsyncInputItems
from openai.resources.responses.input_items import InputItems as SDKInputItems
from openai.resources.responses.input_tokens import AsyncInputTokens as SDKAsyncInputTokens
from openai.resources.responses.input_tokens import InputTokens as SDKInputTokens
from openai.types.chat import ChatCompletion
from openai.types.responses import Response

from ._exceptions import UnknownResponseError
from ._meta import attach_meta, meta
from ._response_store import ResponseStore
from ._responses_events import ResponseEvents
from ._responses_output import Answer, emulated_meta, new_id, response_of, stored_response
from ._responses_request import ChatPlan, chat_plan, refused
from ._responses_stream import AsyncResponseEventStream, ResponseEventStream
from ._sdk import cached_property
from ._stored_response import StoredResponse
from ._translated_response import TranslatedResponse
from .omnigate._routing import ROUTING_FIELDS

if TYPE_CHECKING:
    from ._client import AsyncOpenAI, OpenAI

__all__ = ["AsyncResponses", "Responses"]

_BY_ID = re.compile(r"^/responses/(?P<id>[^/]+)(?P<cancel>/cancel)?$")
_RAW_RESPONSE_HEADER = "x-stainless-raw-response"
_NO_ENDPOINT = "OmniGate has no such endpoint, and it has no chat equivalent"
_NO_WEBSOCKET = "OmniGate has no Responses WebSocket; `create(stream=True)` streams the same events"
_USAGE = {"include_usage": True}
"""Asked of every chat stream serving a Responses stream: `response.completed` carries the usage."""


class Responses(SDKResponses):
    """`client.responses`, served over the gateway's chat completions."""

    _client: OpenAI

    def __init__(self, client: OpenAI) -> None:
        super().__init__(client)
        _answer_requests(self, post=self._answer_post, get=self._answer_get, delete=self._answer_delete)

    @cached_property
    def input_tokens(self) -> InputTokens:
        return InputTokens(self._client)

    @cached_property
    def input_items(self) -> InputItems:
        return InputItems(self._client)

    def connect(self, *_: Any, **__: Any) -> NoReturn:
        """Refused: the gateway has no Responses WebSocket (the SDK's manager would dial one)."""
        raise refused("responses.connect", _NO_WEBSOCKET)

    connect.__signature__ = inspect.signature(SDKResponses.connect)  # type: ignore[attr-defined]

    def _answer_post(self, path: str, *, body: Any = None, options: Any = None, stream: bool = False, **_: Any) -> Any:
        if path != "/responses":
            return _cancelled(self._client.response_store, path)
        call = _Served(self._client, body, options or {})
        chat: Any = self._client.chat.completions  # called with the plan's keywords, not one overload's
        if stream:
            return call.events(chat.create(**call.chat, stream=True, stream_options=_USAGE), ResponseEventStream)
        return call.answer(chat.create(**call.chat))

    def _answer_get(self, path: str, *, options: Any = None, stream: bool = False, **_: Any) -> Response:
        return _retrieved(self._client.response_store, path, options or {}, stream=stream)

    def _answer_delete(self, path: str, **_: Any) -> None:
        _deleted(self._client.response_store, path)


class AsyncResponses(SDKAsyncResponses):
    """`client.responses`, served over the gateway's chat completions."""

    _client: AsyncOpenAI

    def __init__(self, client: AsyncOpenAI) -> None:
        super().__init__(client)
        _answer_requests(self, post=self._answer_post, get=self._answer_get, delete=self._answer_delete)

    @cached_property
    def input_tokens(self) -> AsyncInputTokens:
        return AsyncInputTokens(self._client)

    @cached_property
    def input_items(self) -> AsyncInputItems:
        return AsyncInputItems(self._client)

    def connect(self, *_: Any, **__: Any) -> NoReturn:
        """Refused: the gateway has no Responses WebSocket (the SDK's manager would dial one)."""
        raise refused("responses.connect", _NO_WEBSOCKET)

    connect.__signature__ = inspect.signature(SDKAsyncResponses.connect)  # type: ignore[attr-defined]

    async def _answer_post(
        self, path: str, *, body: Any = None, options: Any = None, stream: bool = False, **_: Any
    ) -> Any:
        if path != "/responses":
            return _cancelled(self._client.response_store, path)
        call = _Served(self._client, body, options or {})
        chat: Any = self._client.chat.completions  # called with the plan's keywords, not one overload's
        if stream:
            chunks = await chat.create(**call.chat, stream=True, stream_options=_USAGE)
            return call.events(chunks, AsyncResponseEventStream)
        return call.answer(await chat.create(**call.chat))

    async def _answer_get(self, path: str, *, options: Any = None, stream: bool = False, **_: Any) -> Response:
        return _retrieved(self._client.response_store, path, options or {}, stream=stream)

    async def _answer_delete(self, path: str, **_: Any) -> None:
        _deleted(self._client.response_store, path)


class InputTokens(SDKInputTokens):
    """`client.responses.input_tokens`: refused, since the gateway cannot count tokens exactly."""

    def __init__(self, client: OpenAI) -> None:
        super().__init__(client)
        _answer_requests(self, post=_refuse_token_count)


class AsyncInputTokens(SDKAsyncInputTokens):
    """`client.responses.input_tokens`: refused, since the gateway cannot count tokens exactly."""

    def __init__(self, client: AsyncOpenAI) -> None:
        super().__init__(client)
        _answer_requests(self, post=_refuse_token_count)


class InputItems(SDKInputItems):
    """`client.responses.input_items`: refused (the store keeps chat messages, not the input items)."""

    def __init__(self, client: OpenAI) -> None:
        super().__init__(client)
        _answer_requests(self, get_api_list=_refuse_input_items)


class AsyncInputItems(SDKAsyncInputItems):
    """`client.responses.input_items`: refused (the store keeps chat messages, not the input items)."""

    def __init__(self, client: AsyncOpenAI) -> None:
        super().__init__(client)
        _answer_requests(self, get_api_list=_refuse_input_items)


def _answer_requests(resource: Any, **methods: Any) -> None:
    """Replace the resource's request methods (the SDK sets them per instance, from the client's) with ours.

    The SDK's generated methods all request through `_post`, `_get`, `_delete` and `_get_api_list`, so
    every one of them (and the `parse` / `stream` helpers) keeps its signature and is answered here.
    """
    for name, method in methods.items():
        setattr(resource, f"_{name}", method)


def _refuse_token_count(*_: Any, **__: Any) -> NoReturn:
    raise refused("responses.input_tokens.count", f"{_NO_ENDPOINT} (its providers count tokens their own way)")


def _refuse_input_items(*_: Any, **__: Any) -> NoReturn:
    raise refused("responses.input_items.list", _NO_ENDPOINT)


class _Served:
    """One `responses.create`: the chat call serving it, and how its answer becomes the Responses one.

    Under `with_raw_response` / `with_streaming_response` the chat call is made raw too, and its raw
    response is handed back with a translating `.parse()` (`TranslatedResponse`).
    """

    def __init__(self, client: Any, body: Any, options: Mapping[str, Any]) -> None:
        self.client, self.store, self.options = client, client.response_store, options
        headers = dict(options.get("headers") or {})
        self.raw = any(name.lower() == _RAW_RESPONSE_HEADER for name in headers)
        extra = dict(options.get("extra_json") or {})  # `extra_body` is part of the Responses request...
        routing = {field: extra.pop(field) for field in ROUTING_FIELDS if field in extra}  # ...but these are chat's
        self.plan = chat_plan({**(body or {}), **extra}, store=self.store, profile=client._profile)
        self.chat: dict[str, Any] = {
            **self.plan.chat,
            "extra_headers": headers or None,
            "extra_query": options.get("params") or None,
            "extra_body": routing or None,
        }
        if "timeout" in options:
            self.chat["timeout"] = options["timeout"]

    def answer(self, result: Any) -> Any:
        return TranslatedResponse(result, self._answered) if self.raw else self._answered(result)

    def events(self, result: Any, stream_class: type[ResponseEventStream | AsyncResponseEventStream]) -> Any:
        def translate(chunks: Any) -> Any:
            keep = _keeper(self.store, self.plan)
            return stream_class(chunks=chunks, events=ResponseEvents(self.plan), client=self.client, on_done=keep)

        return TranslatedResponse(result, translate) if self.raw else translate(result)

    def _answered(self, completion: ChatCompletion) -> Any:
        """The `Response` of a chat answer, stored, with the chat call's gateway metadata; parsed for `.parse()`."""
        plan = self.plan
        answer = Answer.of_completion(completion)
        model = str(plan.chat["model"])
        response = response_of(
            plan, response_id=new_id("resp_"), created_at=completion.created, answer=answer, model=model
        )
        found = emulated_meta(meta(completion))
        attach_meta(response, found)
        _keeper(self.store, plan)(response)
        parser = self.options.get("post_parser")
        if callable(parser):  # `responses.parse(text_format=...)`: the SDK's own parser fills `output_parsed`
            parsed = parser(response)
            attach_meta(parsed, found)
            return parsed
        return response


def _keeper(store: ResponseStore, plan: ChatPlan) -> Any:
    def keep(response: Response) -> None:
        if plan.store:
            store.put(stored_response(plan, response))

    return keep


def _stored(store: ResponseStore, path: str, method: str) -> StoredResponse:
    match = _BY_ID.match(path)
    if match is None or (match["cancel"] is not None) != (method == "cancel"):
        raise refused(f"responses.{path.rsplit('/', 1)[-1]}", _NO_ENDPOINT)
    response_id = urllib.parse.unquote(match["id"])
    found = store.get(response_id)
    if found is None:
        raise UnknownResponseError(response_id, field=f"responses.{method}")
    return found


def _cancelled(store: ResponseStore, path: str) -> Response:
    """A stored response is already finished (there is no background mode): cancelling returns it as it is."""
    return _stored(store, path, "cancel").response


def _retrieved(store: ResponseStore, path: str, options: Mapping[str, Any], *, stream: bool) -> Response:
    if stream:
        raise refused("responses.retrieve(stream=True)", "finished responses are stored, not their event streams")
    include = (options.get("params") or {}).get("include")
    if include:
        raise refused("include", f"{', '.join(map(repr, include))} cannot be produced")
    return _stored(store, path, "retrieve").response


def _deleted(store: ResponseStore, path: str) -> None:
    found = _stored(store, path, "delete")
    store.delete(found.response.id)
