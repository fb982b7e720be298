"""`GET /v1/metrics`: the project's usage over a window (auth only: no rate limit, no budget)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from omnigate_openai.testing._gatekeeping import authenticate
from omnigate_openai.testing._metrics import MetricsQueryError, metrics_body, parse_window
from omnigate_openai.testing._responses import DetailResponse
from omnigate_openai.testing._routes._context import endpoint, gateway_state


async def project_metrics(request: Request) -> Response:
    state = gateway_state(request)
    context = authenticate(state, request)
    try:
        window = parse_window(request.query_params, state.now())
    except MetricsQueryError as exc:
        return DetailResponse(str(exc), status_code=422)
    rows = state.usage_for(project_id=context.project.id)
    return JSONResponse(metrics_body("project", str(context.project.id), window, rows))


routes: list[BaseRoute] = [endpoint("/v1/metrics", project_metrics, "GET")]

__all__ = ["project_metrics", "routes"]
