"""`POST /v1/signup` (public: a new org, project and legacy key) and `GET /v1/me`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from omnigate_openai.testing._gatekeeping import authenticate
from omnigate_openai.testing._routes._context import endpoint, gateway_state
from omnigate_openai.testing._validation import SignupRequest, read_json, validate_body

SIGNUP_MESSAGE = " ".join(
    (
        "Save your api_key now — it cannot be retrieved later.",
        "Add a provider key via POST /v1/keys before calling /v1/chat.",
    )
)


async def signup(request: Request) -> Response:
    """No auth, no rate limit, no de-duplication: every call makes a new organisation."""
    state = gateway_state(request)
    body = validate_body(SignupRequest, await read_json(request))
    org, project, key = state.signup(body.email, body.org_name, body.project_name)
    payload = {
        "org_id": str(org.id),
        "project_id": str(project.id),
        "email": body.email,
        "api_key": key,
        "message": SIGNUP_MESSAGE,
    }
    return JSONResponse(payload, status_code=201)


async def me(request: Request) -> Response:
    """`key_prefix` is the project's legacy key prefix, whichever key was presented."""
    state = gateway_state(request)
    context = authenticate(state, request)
    project = context.project
    return JSONResponse(
        {
            "project_id": str(project.id),
            "org_id": str(project.org_id),
            "project_name": project.name,
            "key_prefix": project.key_prefix,
            "rate_limit_per_min": project.rate_limit_per_min,
            "daily_budget": str(project.daily_budget),
            "monthly_budget": str(project.monthly_budget),
            "configured_providers": state.configured_providers(project.id),
        }
    )


routes: list[BaseRoute] = [
    endpoint("/v1/signup", signup, "POST"),
    endpoint("/v1/me", me, "GET"),
]

__all__ = ["SIGNUP_MESSAGE", "me", "routes", "signup"]
