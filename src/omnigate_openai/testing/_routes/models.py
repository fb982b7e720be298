"""`GET /v1/models` (the 28 priced cards) and `GET /v1/models/{id}` (dated and `azure/` ids resolve)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from omnigate_openai.omnigate._pricing import PRICES, provider_for_model, resolve_priced_model
from omnigate_openai.testing._gatekeeping import authenticate
from omnigate_openai.testing._responses import OpenAIErrorResponse
from omnigate_openai.testing._routes._context import endpoint, gateway_state

_OWNERS = {"gemini": "google"}


def model_card(model_id: str) -> dict[str, Any] | None:
    """The card for `model_id`, priced as its resolved parent; None when the server cannot price it."""
    priced = resolve_priced_model(model_id)
    if priced is None:
        return None
    provider = provider_for_model(model_id) or "unknown"
    prompt_price, completion_price = PRICES[priced]
    return {
        "id": model_id,
        "object": "model",
        "created": 0,
        "owned_by": _OWNERS.get(provider, provider),
        "provider": provider,
        "pricing": {"input_per_1k_usd": prompt_price, "output_per_1k_usd": completion_price},
    }


async def list_models(request: Request) -> Response:
    authenticate(gateway_state(request), request)
    return JSONResponse({"object": "list", "data": [model_card(model) for model in sorted(PRICES)]})


async def retrieve_model(request: Request) -> Response:
    authenticate(gateway_state(request), request)
    model_id = str(request.path_params["model_id"])
    card = model_card(model_id)
    if card is None:
        return OpenAIErrorResponse(f"model '{model_id}' not found", status_code=404)
    return JSONResponse(card)


routes: list[BaseRoute] = [
    endpoint("/v1/models", list_models, "GET"),
    endpoint("/v1/models/{model_id:path}", retrieve_model, "GET"),
]

__all__ = ["list_models", "model_card", "retrieve_model", "routes"]
