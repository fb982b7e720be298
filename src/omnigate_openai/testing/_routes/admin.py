"""The admin API (`x-admin-key` only): organisations, projects and org-wide metrics."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from omnigate_openai.testing._gatekeeping import require_admin
from omnigate_openai.testing._metrics import MetricsQueryError, iso, metrics_body, parse_window
from omnigate_openai.testing._responses import DetailResponse
from omnigate_openai.testing._routes._context import endpoint, gateway_state
from omnigate_openai.testing._state import Org, Project
from omnigate_openai.testing._validation import (
    OrgCreateRequest,
    ProjectCreateRequest,
    parse_uuid,
    read_json,
    validate_body,
)

ORG_NOT_FOUND = "Organisation not found"


def org_out(org: Org) -> dict[str, Any]:
    return {
        "id": str(org.id),
        "name": org.name,
        "daily_budget": str(org.daily_budget),
        "monthly_budget": str(org.monthly_budget),
        "created_at": iso(org.created_at),
    }


def project_out(project: Project) -> dict[str, Any]:
    return {
        "id": str(project.id),
        "org_id": str(project.org_id),
        "name": project.name,
        "key_prefix": project.key_prefix,
        "daily_budget": str(project.daily_budget),
        "monthly_budget": str(project.monthly_budget),
        "rate_limit_per_min": project.rate_limit_per_min,
        "created_at": iso(project.created_at),
    }


async def create_org(request: Request) -> Response:
    state = gateway_state(request)
    data = await read_json(request)
    require_admin(state, request)
    body = validate_body(OrgCreateRequest, data)
    org = state.create_org(body.name, daily_budget=body.daily_budget, monthly_budget=body.monthly_budget)
    return JSONResponse(org_out(org), status_code=201)


async def list_orgs(request: Request) -> Response:
    state = gateway_state(request)
    require_admin(state, request)
    return JSONResponse([org_out(o) for o in sorted(state.orgs.values(), key=lambda o: o.created_at)])


async def create_project(request: Request) -> Response:
    """The answer carries the project's legacy key, once."""
    state = gateway_state(request)
    data = await read_json(request)
    require_admin(state, request)
    body = validate_body(ProjectCreateRequest, data)
    if body.org_id not in state.orgs:
        return DetailResponse(ORG_NOT_FOUND, status_code=404)
    project, key = state.create_project(
        body.org_id,
        body.name,
        daily_budget=body.daily_budget,
        monthly_budget=body.monthly_budget,
        rate_limit_per_min=body.rate_limit_per_min,
    )
    return JSONResponse({**project_out(project), "api_key": key}, status_code=201)


async def list_projects(request: Request) -> Response:
    state = gateway_state(request)
    require_admin(state, request)
    org_filter = request.query_params.get("org_id")
    org_id = parse_uuid(org_filter, location="query", name="org_id") if org_filter is not None else None
    projects = sorted(state.projects.values(), key=lambda p: p.created_at)
    return JSONResponse([project_out(p) for p in projects if org_id is None or p.org_id == org_id])


async def org_metrics(request: Request) -> Response:
    state = gateway_state(request)
    require_admin(state, request)
    org_id = parse_uuid(str(request.path_params["org_id"]), location="path", name="org_id")
    if org_id not in state.orgs:
        return DetailResponse(ORG_NOT_FOUND, status_code=404)
    try:
        window = parse_window(request.query_params, state.now())
    except MetricsQueryError as exc:
        return DetailResponse(str(exc), status_code=422)
    return JSONResponse(metrics_body("org", str(org_id), window, state.usage_for(org_id=org_id)))


routes: list[BaseRoute] = [
    endpoint("/v1/admin/orgs", create_org, "POST"),
    endpoint("/v1/admin/orgs", list_orgs, "GET"),
    endpoint("/v1/admin/projects", create_project, "POST"),
    endpoint("/v1/admin/projects", list_projects, "GET"),
    endpoint("/v1/admin/orgs/{org_id}/metrics", org_metrics, "GET"),
]

__all__ = [
    "create_org",
    "create_project",
    "list_orgs",
    "list_projects",
    "org_metrics",
    "org_out",
    "project_out",
    "routes",
]
