"""Unauthenticated meta routes: `/health`, `/health/live`, `/health/ready`, `/version`, `/metrics`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from omnigate_openai.testing._prometheus import CONTENT_TYPE, exposition
from omnigate_openai.testing._routes._context import endpoint, gateway_state

SERVER_VERSION = "0.2.0"


async def health(_request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": SERVER_VERSION})


async def live(_request: Request) -> Response:
    return JSONResponse({"status": "alive"})


async def ready(_request: Request) -> Response:
    """The real server checks its database and Redis; the local ones are always there."""
    return JSONResponse({"status": "ready", "checks": {"database": "ok", "redis": "ok"}})


async def version(_request: Request) -> Response:
    return JSONResponse({"name": "omnigate", "version": SERVER_VERSION})


async def prometheus(request: Request) -> Response:
    """Gateway-wide and unauthenticated, as on the real server."""
    with gateway_state(request).lock:
        rows = list(gateway_state(request).usage)
    return Response(exposition(rows), headers={"content-type": CONTENT_TYPE})


routes: list[BaseRoute] = [
    endpoint("/health", health, "GET"),
    endpoint("/health/live", live, "GET"),
    endpoint("/health/ready", ready, "GET"),
    endpoint("/version", version, "GET"),
    endpoint("/metrics", prometheus, "GET"),
]

__all__ = ["SERVER_VERSION", "health", "live", "prometheus", "ready", "routes", "version"]
