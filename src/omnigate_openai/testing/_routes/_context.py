"""How a handler finds the gateway it belongs to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from omnigate_openai.testing._state import GatewayState

Endpoint = Callable[[Request], Awaitable[Response]]


def gateway_state(request: Request) -> GatewayState:
    """The `GatewayState` that `create_app` stored on the application."""
    state = request.app.state.gateway
    if not isinstance(state, GatewayState):
        raise TypeError(f"Expected app.state.gateway to be a GatewayState, got {type(state).__name__}")
    return state


def endpoint(path: str, handler: Endpoint, method: str) -> Route:
    """A route answering one method only, as FastAPI declares them (no implicit HEAD for a GET)."""
    route = Route(path, handler, methods=[method])
    route.methods = {method}
    return route


__all__ = ["Endpoint", "endpoint", "gateway_state"]
