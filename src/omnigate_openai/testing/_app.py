"""`create_app`: the local gateway as an ASGI application, for any ASGI server or test client."""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from omnigate_openai.testing._interrupts import Refusal
from omnigate_openai.testing._middleware import GatewayMiddleware
from omnigate_openai.testing._responses import DetailResponse
from omnigate_openai.testing._routes import ROUTES
from omnigate_openai.testing._state import GatewaySettings, GatewayState


def create_app(state: GatewayState | None = None) -> Starlette:
    """An app serving `state` (a fresh one with a random admin key if omitted) at `app.state.gateway`."""
    gateway = state or GatewayState(GatewaySettings(admin_key="adm_" + secrets.token_urlsafe(24)))
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(GatewayMiddleware)],
        exception_handlers={HTTPException: _http_error, Refusal: _refusal},
    )
    app.state.gateway = gateway
    return app


async def _http_error(_request: Request, exc: Exception) -> Response:
    """Routing errors as FastAPI words them: 404 `Not Found`, 405 `Method Not Allowed` with `allow`."""
    assert isinstance(exc, HTTPException)
    return DetailResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


async def _refusal(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refusal)
    return exc.response


__all__ = ["create_app"]
