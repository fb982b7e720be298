"""The outermost layer: request ids, the call log, dropped connections and unhandled errors.

It reproduces OmniGate's HTTP middleware, which reads or makes an `x-request-id` and then only
*sets it by default* on the answer, so a handler's own id (native chat, compat streams) wins.
"""

from __future__ import annotations

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from omnigate_openai.testing._calls import Call
from omnigate_openai.testing._interrupts import ServerFault
from omnigate_openai.testing._responses import UnhandledErrorResponse
from omnigate_openai.testing._state import GatewayState


class DroppedConnection(Exception):
    """Raised after a truncated answer so the server closes the connection (`faults.drop_connection`)."""


class GatewayMiddleware:
    """Reads the state from `scope["app"]` on every request, so `LocalGateway.reset()` can swap it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope["app"].state.gateway
        assert isinstance(state, GatewayState)
        body, replay = await _buffered(receive)
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        query = scope.get("query_string", b"").decode("latin-1")
        peer = scope.get("client")
        call = Call(scope["method"], scope["path"], query, headers, body, client_port=peer[1] if peer else None)
        state.calls.append(call)
        if state.faults.take_drop(scope["path"]):
            call.status = 0
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
            await send({"type": "http.response.body", "body": b'{"', "more_body": True})
            raise DroppedConnection(f"dropped {scope['method']} {scope['path']} on purpose")
        request_id = headers.get("x-request-id") or uuid.uuid4().hex

        async def send_with_request_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                call.status = message["status"]
                response_headers = MutableHeaders(scope=message)
                if "x-request-id" not in response_headers:
                    response_headers["x-request-id"] = request_id
            await send(message)

        try:
            await self.app(scope, replay, send_with_request_id)
        except ServerFault:
            call.status = 500
            await UnhandledErrorResponse()(scope, replay, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body once, and hand the app a `receive` that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


__all__ = ["DroppedConnection", "GatewayMiddleware"]
