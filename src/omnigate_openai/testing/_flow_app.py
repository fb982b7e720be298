"""`create_flow_app`: the local Flow gateway as an ASGI app (the platform's `/api/v1/gateway` routes).

Every request is logged, may meet a scheduled fault, and is authenticated: `X-API-Key` when sent
(it wins over the bearer), else `Authorization: Bearer <token>`. Errors use the platform API's
envelope `{"code", "message", "details"}` unless a fault asks for LiteLLM's, FastAPI's or plain text.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omnigate_openai.testing import _flow_model as model
from omnigate_openai.testing._calls import Call
from omnigate_openai.testing._flow_state import CATALOGUE, SCOPES, Envelope, FlowFault, FlowGatewayState
from omnigate_openai.testing._responses import JSONAnswer

PREFIX = "/api/v1/gateway"
"""Where the platform mounts its AI gateway; the OpenAI-compatible API is under `PREFIX + "/v1"`."""

_LITELLM_TYPES = {400: "invalid_request_error", 401: "auth_error", 404: "not_found_error", 429: "rate_limit_error"}
_CODES = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 422: "VALIDATION_ERROR", 429: "RATE_LIMITED"}


def error_response(
    status: int,
    message: str,
    *,
    envelope: Envelope = "platform",
    field: str | None = None,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error in one of the four shapes the Flow gateway is known to answer with."""
    if envelope == "text":
        return PlainTextResponse(message, status_code=status, headers=headers)
    if envelope == "fastapi":
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    if envelope == "litellm":
        kind = _LITELLM_TYPES.get(status, "api_error")
        error = {"message": message, "type": kind, "param": field, "code": str(status)}
        return JSONResponse({"error": error}, status_code=status, headers=headers)
    details = [{"field": field, "message": message}] if field else []
    body = {"code": code or _CODES.get(status, "GATEWAY_ERROR"), "message": message, "details": details}
    return JSONResponse(body, status_code=status, headers=headers)


class FlowMiddleware:
    """Logs the call, applies a scheduled fault, authenticates, and echoes `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: FlowGatewayState = scope["app"].state.flow
        body = await _read_body(receive)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        call = Call(scope["method"], scope["path"], scope.get("query_string", b"").decode(), headers, body)
        state.calls.append(call)
        request_id = headers.get("x-request-id") or uuid.uuid4().hex

        replayed = False

        async def replay() -> Message:  # the body once, then the server's own messages (disconnects)
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                call.status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)

        fault = state.faults.take(scope["path"], kind="respond")
        refusal = _authenticate(state, headers) if scope["path"].startswith(PREFIX) else None
        if refusal is None and fault is not None:
            extra = {"retry-after": f"{fault.retry_after:g}"} if fault.retry_after is not None else None
            refusal = error_response(fault.status, fault.message, envelope=fault.envelope, headers=extra)
        if refusal is not None:
            await refusal(scope, replay, send_with_id)
            return
        await self.app(scope, replay, send_with_id)


def _authenticate(state: FlowGatewayState, headers: Mapping[str, str]) -> Response | None:
    key = headers.get("x-api-key")
    if key is not None:
        if not state.knows_api_key(key):
            return error_response(401, "Invalid API key", code="INVALID_API_KEY")
    else:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return error_response(401, "Not authenticated: send a bearer token or an API key")
        valid = state.token_status(token)
        if valid is None:
            return error_response(401, "Invalid authentication token", code="INVALID_TOKEN")
        if not valid:
            return error_response(401, "Token has expired", code="TOKEN_EXPIRED")
    workspace = headers.get("x-workspace-id")
    if workspace is not None and workspace not in state.workspaces:
        return error_response(403, f"No access to workspace '{workspace}'", field="X-Workspace-ID")
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


# -- routes ----------------------------------------------------------------------------------------


async def chat_completions(request: Request) -> Response:
    body, refusal = await _json_body(request, required=("model", "messages"))
    if refusal is not None:
        return refusal
    if not isinstance(body["messages"], list) or not body["messages"]:
        return error_response(422, "messages must be a non-empty list", field="messages")
    name, unknown = _known_model(body["model"])
    if unknown is not None:
        return unknown
    if not body.get("stream"):
        return JSONAnswer(model.completion(body, model=name))  # a lone surrogate quoted is escaped, not a 500
    state: FlowGatewayState = request.app.state.flow
    cut = state.faults.take(request.url.path, kind="cut")
    return StreamingResponse(_sse(body, name, cut=cut), media_type="text/event-stream")


class StreamCut(Exception):
    """Raised inside a stream (`faults.cut_stream`): the server closes the connection mid-body."""


async def _sse(body: Mapping[str, Any], name: str, *, cut: FlowFault | None) -> AsyncIterator[bytes]:
    for sent, chunk in enumerate(model.chunks(body, model=name)):
        if cut is not None and sent == cut.after:
            if cut.message:  # LiteLLM's in-band failure frame, then the end of the body
                error = {"message": cut.message, "type": "api_error", "param": None, "code": str(cut.status)}
                yield f"data: {json.dumps({'error': error})}\n\n".encode()
                return
            raise StreamCut(f"stream cut after {sent} chunks on purpose")
        yield f"data: {json.dumps(chunk)}\n\n".encode()
    yield b"data: [DONE]\n\n"


async def embeddings(request: Request) -> Response:
    body, refusal = await _json_body(request, required=("model", "input"))
    if refusal is not None:
        return refusal
    name, unknown = _known_model(body["model"])
    if unknown is not None:
        return unknown
    return JSONResponse(model.embeddings(body, model=name))


async def list_models(_request: Request) -> Response:
    data = [
        {"id": f"{provider}/{name}", "object": "model", "created": 1_700_000_000, "owned_by": provider}
        for provider, names in CATALOGUE.items()
        for name in names
    ]
    return JSONResponse({"object": "list", "data": data})


async def list_providers(_request: Request) -> Response:
    return JSONResponse({"providers": list(CATALOGUE)})


async def provider_models(request: Request) -> Response:
    provider = request.path_params["provider"]
    scope = request.query_params.get("scope", "organization")
    if scope not in SCOPES:
        return error_response(422, f"scope must be one of {', '.join(SCOPES)}, got '{scope}'", field="scope")
    if provider not in CATALOGUE:
        return error_response(404, f"Provider '{provider}' not found", code="PROVIDER_NOT_FOUND", field="provider")
    models = [{"id": f"{provider}/{name}", "name": name, "provider": provider} for name in CATALOGUE[provider]]
    return JSONResponse({"provider": provider, "models": models, "total": len(models)})


async def _json_body(request: Request, *, required: tuple[str, ...]) -> tuple[dict[str, Any], Response | None]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return {}, error_response(400, "The request body is not valid JSON")
    if not isinstance(body, dict):
        return {}, error_response(422, "The request body must be a JSON object")
    for name in required:
        if name not in body:
            return body, error_response(422, f"Field required: {name}", field=name)
    return body, None


def _known_model(name: object) -> tuple[str, Response | None]:
    text = str(name)
    provider, _, rest = text.partition("/")
    if rest in CATALOGUE.get(provider, ()):
        return text, None
    return text, error_response(404, f"Model '{text}' not found or not enabled for this organization", field="model")


ROUTES = [
    Route(f"{PREFIX}/v1/chat/completions", chat_completions, methods=["POST"]),
    Route(f"{PREFIX}/v1/embeddings", embeddings, methods=["POST"]),
    Route(f"{PREFIX}/v1/models", list_models, methods=["GET"]),
    Route(f"{PREFIX}/models/providers/list", list_providers, methods=["GET"]),  # before {provider}
    Route(f"{PREFIX}/models/{{provider}}", provider_models, methods=["GET"]),
]


def create_flow_app(state: FlowGatewayState | None = None) -> Starlette:
    """The app serving `state` (a fresh one if omitted) at `app.state.flow`."""
    app = Starlette(routes=ROUTES, exception_handlers={HTTPException: _http_error})
    app.add_middleware(FlowMiddleware)
    app.state.flow = state or FlowGatewayState()
    return app


class ConnectionDropper:
    """Outside the app, next to uvicorn: closes the socket of a call a `drop_connection` fault is for.

    Nothing at all is written back, not even a status line, which is what a client sees when a
    gateway restarts or a load balancer resets the connection: the case a client may safely retry.
    It reaches the connection through uvicorn's `send` (a bound method of its request cycle).
    """

    def __init__(self, app: Starlette) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state: FlowGatewayState = self.app.state.flow
        if scope["type"] == "http" and state.faults.take(scope["path"], kind="drop") is not None:
            headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
            state.calls.append(Call(scope["method"], scope["path"], "", headers, b"", status=0))
            cycle = getattr(send, "__self__", None)
            transport = getattr(cycle, "transport", None)
            if transport is None:
                raise RuntimeError("drop_connection needs uvicorn's HTTP protocol (LocalFlowGateway runs it)")
            cycle.disconnected = True  # type: ignore[union-attr]  # uvicorn then writes no 500 of its own
            transport.close()
            return
        await self.app(scope, receive, send)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


__all__ = ["PREFIX", "ConnectionDropper", "StreamCut", "create_flow_app", "error_response"]
