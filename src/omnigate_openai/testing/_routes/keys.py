"""`POST /v1/keys` (BYOK provider keys) and `/v1/keys/api` (the project's named gateway keys)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from omnigate_openai.testing._gatekeeping import authenticate
from omnigate_openai.testing._metrics import iso
from omnigate_openai.testing._responses import DetailResponse, NoContentResponse
from omnigate_openai.testing._routes._context import endpoint, gateway_state
from omnigate_openai.testing._state import ApiKey
from omnigate_openai.testing._validation import (
    ApiKeyCreateRequest,
    ProviderKeyRequest,
    parse_uuid,
    read_json,
    validate_body,
)


async def set_provider_key(request: Request) -> Response:
    """An upsert per (project, provider): 204. Azure needs `meta.endpoint` (https) and `meta.deployment`."""
    state = gateway_state(request)
    data = await read_json(request)
    context = authenticate(state, request)
    body = validate_body(ProviderKeyRequest, data)
    if body.provider == "azure":
        meta = body.meta or {}
        if not str(meta.get("endpoint") or "").startswith("https://"):
            return DetailResponse("Azure provider requires meta.endpoint (an https:// URL).", status_code=400)
        if not meta.get("deployment"):
            return DetailResponse("Azure provider requires meta.deployment (the deployment name).", status_code=400)
        body.meta = {"api_version": "2024-10-21", **meta}
    state.set_provider_key(context.project.id, body.provider, body.api_key, body.meta)
    return NoContentResponse()


def key_out(api_key: ApiKey) -> dict[str, Any]:
    """`ApiKeyOut`: never the secret."""
    return {
        "id": str(api_key.id),
        "name": api_key.name,
        "key_prefix": api_key.key_prefix,
        "created_at": iso(api_key.created_at),
        "last_used_at": iso(api_key.last_used_at) if api_key.last_used_at else None,
        "revoked_at": iso(api_key.revoked_at) if api_key.revoked_at else None,
    }


async def create_api_key(request: Request) -> Response:
    state = gateway_state(request)
    data = await read_json(request)
    context = authenticate(state, request)
    body = validate_body(ApiKeyCreateRequest, data)
    api_key, secret = state.create_api_key(context.project.id, body.name)
    return JSONResponse({**key_out(api_key), "api_key": secret}, status_code=201)


async def list_api_keys(request: Request) -> Response:
    """Oldest first, revoked ones included; legacy (signup/admin) keys never appear."""
    state = gateway_state(request)
    context = authenticate(state, request)
    return JSONResponse([key_out(k) for k in state.list_api_keys(context.project.id)])


async def revoke_api_key(request: Request) -> Response:
    """Soft and idempotent: 204 again for a revoked key, 404 for an unknown or foreign one."""
    state = gateway_state(request)
    context = authenticate(state, request)
    key_id = parse_uuid(str(request.path_params["key_id"]), location="path", name="key_id")
    if not state.revoke_api_key(context.project.id, key_id):
        return DetailResponse("API key not found", status_code=404)
    return NoContentResponse()


routes: list[BaseRoute] = [
    endpoint("/v1/keys", set_provider_key, "POST"),
    endpoint("/v1/keys/api", create_api_key, "POST"),
    endpoint("/v1/keys/api", list_api_keys, "GET"),
    endpoint("/v1/keys/api/{key_id}", revoke_api_key, "DELETE"),
]

__all__ = ["create_api_key", "key_out", "list_api_keys", "revoke_api_key", "routes", "set_provider_key"]
