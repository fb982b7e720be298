"""Every error the protocol document describes, through the client's own error hook, sync and async.

A row is one answer of the gateway (status, headers, body) and what must come out of it: the
gateway class, the `openai` class it must also be, and the fields a caller reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai._sdk import httpx

OPENAI_401_BODY = (
    '{"error":{"message":"Incorrect API key provided: sk-bad-o****0000.","type":"invalid_request_error",'
    '"param":null,"code":"invalid_api_key"}}'
)


@dataclass(frozen=True)
class Case:
    name: str
    status: int
    body: Any
    raises: type[Exception]
    also: type[Exception]
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)


def _error_object(message: str, status: int) -> dict[str, Any]:
    kind = "provider_error" if status >= 500 else "invalid_request_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


CASES = [
    # -- the gateway's own answers, FastAPI `detail` shape ------------------------------------------
    Case(
        "gateway 401 invalid key",
        401,
        {"detail": "Invalid API key"},
        og.AuthError,
        openai.AuthenticationError,
        "Invalid API key",
    ),
    Case(
        "gateway 401 missing key",
        401,
        {"detail": "Missing x-api-key header (or Authorization: Bearer token)"},
        og.AuthError,
        openai.AuthenticationError,
        "Missing x-api-key header",
    ),
    Case(
        "admin 401",
        401,
        {"detail": "Invalid or missing x-admin-key"},
        og.AuthError,
        openai.AuthenticationError,
        "Invalid or missing x-admin-key",
    ),
    Case(
        "project daily budget",
        402,
        {"detail": "Project daily budget exceeded"},
        og.BudgetExceededError,
        openai.APIStatusError,
        "Project daily budget exceeded",
        fields={"scope": "project", "period": "daily"},
    ),
    Case(
        "org daily budget",
        402,
        {"detail": "Organisation daily budget exceeded"},
        og.BudgetExceededError,
        openai.APIStatusError,
        "Organisation daily budget exceeded",
        fields={"scope": "org", "period": "daily"},
    ),
    Case(
        "project monthly budget",
        402,
        {"detail": "Project monthly budget exceeded"},
        og.BudgetExceededError,
        openai.APIStatusError,
        "Project monthly budget",
        fields={"scope": "project", "period": "monthly"},
    ),
    Case(
        "org monthly budget",
        402,
        {"detail": "Organisation monthly budget exceeded"},
        og.BudgetExceededError,
        openai.APIStatusError,
        "Organisation monthly",
        fields={"scope": "org", "period": "monthly"},
    ),
    Case(
        "gateway 429",
        429,
        {"detail": "Rate limit exceeded"},
        og.RateLimitError,
        openai.RateLimitError,
        "Rate limit exceeded",
        headers={"retry-after": "35", "x-ratelimit-remaining": "0"},
        fields={"retry_after": 35.0, "source": "gateway"},
    ),
    Case(
        "validation 422",
        422,
        {
            "detail": [
                {
                    "type": "less_than_equal",
                    "loc": ["body", "temperature"],
                    "msg": "Input should be less than or equal to 2",
                    "input": 3,
                    "ctx": {"le": 2.0},
                }
            ]
        },
        og.APIError,
        openai.UnprocessableEntityError,
        "body.temperature: Input should be less than or equal to 2",
    ),
    Case(
        "malformed json 422",
        422,
        {
            "detail": [
                {
                    "type": "json_invalid",
                    "loc": ["body", 12],
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": "Expecting value"},
                }
            ]
        },
        og.APIError,
        openai.UnprocessableEntityError,
        "body.12: JSON decode error",
    ),
    Case(
        "metrics 422 string",
        422,
        {"detail": "invalid range '2d'; expected one of 1h, 24h, 7d, 30d"},
        og.APIError,
        openai.UnprocessableEntityError,
        "invalid range '2d'",
    ),
    Case("unknown route", 404, {"detail": "Not Found"}, og.APIError, openai.NotFoundError, "Not Found"),
    Case(
        "unknown key id", 404, {"detail": "API key not found"}, og.APIError, openai.NotFoundError, "API key not found"
    ),
    Case(
        "wrong method", 405, {"detail": "Method Not Allowed"}, og.APIError, openai.APIStatusError, "Method Not Allowed"
    ),
    Case(
        "plain-text 500", 500, "Internal Server Error", og.APIError, openai.InternalServerError, "Internal Server Error"
    ),
    Case(
        "azure meta 400",
        400,
        {"detail": "Azure provider requires meta.endpoint (an https:// URL)."},
        og.APIError,
        openai.BadRequestError,
        "requires meta.endpoint",
    ),
    # -- the OpenAI-compatible handler's own answers, `error` object -------------------------------
    Case(
        "unknown model on chat",
        400,
        _error_object("No provider registered for model 'anthropic/claude-3'", 400),
        og.ModelNotFoundError,
        openai.BadRequestError,
        "No provider registered",
        fields={"model": "anthropic/claude-3"},
    ),
    Case(
        "unknown model on native chat",
        400,
        {"detail": "No provider registered for model 'llama-3'"},
        og.ModelNotFoundError,
        openai.BadRequestError,
        "llama-3",
        fields={"model": "llama-3"},
    ),
    Case(
        "unknown model on retrieve",
        404,
        _error_object("model 'gpt-5' not found", 404),
        og.ModelNotFoundError,
        openai.NotFoundError,
        "model 'gpt-5' not found",
        fields={"model": "gpt-5"},
    ),
    Case(
        "no provider key",
        400,
        _error_object("No openai key configured for this project. Add one via POST /v1/keys.", 400),
        og.ProviderError,
        openai.BadRequestError,
        "No openai key configured",
        fields={"provider": "openai", "upstream_status": None, "circuit_open": False},
    ),
    Case(
        "azure deployment missing",
        400,
        _error_object("Azure deployment not specified. Use model 'azure/<deployment>' or set meta.deployment.", 400),
        og.ProviderError,
        openai.BadRequestError,
        "Azure deployment",
        fields={"provider": "azure"},
    ),
    Case(
        "role tool",
        400,
        _error_object("role 'tool' not supported", 400),
        og.APIError,
        openai.BadRequestError,
        "role 'tool' not supported",
    ),
    Case(
        "n > 1",
        400,
        _error_object("n > 1 is not supported", 400),
        og.APIError,
        openai.BadRequestError,
        "n > 1 is not supported",
    ),
    # -- a provider's failure, passed through with its own status ----------------------------------
    Case(
        "provider 401 (compat)",
        401,
        _error_object(f"OpenAI error 401: {OPENAI_401_BODY}", 401),
        og.ProviderError,
        openai.AuthenticationError,
        "OpenAI error 401: ",
        fields={"provider": "openai", "upstream_status": 401},
    ),
    Case(
        "provider 401 (native)",
        401,
        {"detail": f"OpenAI error 401: {OPENAI_401_BODY}"},
        og.ProviderError,
        openai.AuthenticationError,
        "Incorrect API key",
        fields={"provider": "openai", "upstream_status": 401},
    ),
    Case(
        "provider 403",
        403,
        _error_object("Anthropic error 403: {}", 403),
        og.ProviderError,
        openai.PermissionDeniedError,
        "Anthropic error 403",
        fields={"provider": "anthropic", "upstream_status": 403},
    ),
    Case(
        "provider 429",
        429,
        _error_object("OpenAI error 429: rate limit reached", 429),
        og.ProviderError,
        openai.RateLimitError,
        "OpenAI error 429",
        fields={"provider": "openai", "upstream_status": 429, "source": "provider", "retry_after": None},
    ),
    Case(
        "provider 500",
        500,
        _error_object("OpenAI error 500: {}", 500),
        og.ProviderError,
        openai.InternalServerError,
        "OpenAI error 500",
        fields={"upstream_status": 500},
    ),
    Case(
        "anthropic 529",
        529,
        _error_object("Anthropic error 529: overloaded", 529),
        og.ProviderError,
        openai.InternalServerError,
        "Anthropic error 529",
        fields={"provider": "anthropic", "upstream_status": 529},
    ),
    Case(
        "gemini bad key 400",
        400,
        _error_object("Gemini error 400: API_KEY_INVALID", 400),
        og.ProviderError,
        openai.BadRequestError,
        "API_KEY_INVALID",
        fields={"provider": "gemini", "upstream_status": 400},
    ),
    Case(
        "azure 404",
        404,
        {"detail": "Azure OpenAI error 404: DeploymentNotFound"},
        og.ProviderError,
        openai.NotFoundError,
        "DeploymentNotFound",
        fields={"provider": "azure", "upstream_status": 404},
    ),
    Case(
        "transport failure 502",
        502,
        {"detail": "OpenAI request failed: ReadTimeout"},
        og.ProviderError,
        openai.InternalServerError,
        "request failed",
        fields={"provider": "openai", "upstream_status": None},
    ),
    Case(
        "gemini blocked 400",
        400,
        {"detail": "Gemini returned no candidates: SAFETY"},
        og.ProviderError,
        openai.BadRequestError,
        "no candidates",
        fields={"provider": "gemini"},
    ),
    Case(
        "no candidate 502",
        502,
        {"detail": "No provider candidate could handle the request"},
        og.ProviderError,
        openai.InternalServerError,
        "No provider candidate",
        fields={"provider": None},
    ),
    Case(
        "circuit open",
        503,
        _error_object("openai circuit is open", 503),
        og.ProviderError,
        openai.InternalServerError,
        "openai circuit is open",
        fields={"provider": "openai", "circuit_open": True},
    ),
]


def _response(case: Case) -> httpx.Response:
    headers = {"x-request-id": "req-123", **case.headers}
    if isinstance(case.body, str):
        content = case.body.encode()
        headers.setdefault("content-type", "text/plain; charset=utf-8")
    else:
        content = json.dumps(case.body).encode()
        headers.setdefault("content-type", "application/json")
    request = httpx.Request("POST", "http://gateway.test/v1/chat/completions")
    return httpx.Response(case.status, headers=headers, content=content, request=request)


def _check(error: Exception, case: Case) -> None:
    assert isinstance(error, case.raises), type(error).__mro__
    assert isinstance(error, case.also)
    assert isinstance(error, og.GatewayError)
    assert isinstance(error, og.APIError)
    assert case.message in str(error)
    assert error.status_code == case.status
    assert error.request_id == "req-123"
    for name, expected in case.fields.items():
        assert getattr(error, name) == expected, name


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_sync_client_classifies(case: Case) -> None:
    client = og.OpenAI(api_key="llmg_test", base_url="http://gateway.test")
    _check(client._make_status_error_from_response(_response(case)), case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_async_client_classifies(case: Case) -> None:
    client = og.AsyncOpenAI(api_key="llmg_test", base_url="http://gateway.test")
    _check(client._make_status_error_from_response(_response(case)), case)


def test_a_provider_401_is_never_a_gateway_auth_error() -> None:
    client = og.OpenAI(api_key="llmg_test", base_url="http://gateway.test")
    case = next(c for c in CASES if c.name == "provider 401 (compat)")
    error = client._make_status_error_from_response(_response(case))
    assert not isinstance(error, og.AuthError)


def test_every_429_is_a_rate_limit_error_for_both_hierarchies() -> None:
    client = og.OpenAI(api_key="llmg_test", base_url="http://gateway.test")
    for case in (c for c in CASES if c.status == 429):
        error = client._make_status_error_from_response(_response(case))
        assert isinstance(error, og.RateLimitError)
        assert isinstance(error, openai.RateLimitError)


def test_error_body_keeps_the_sdk_contract() -> None:
    """`e.body` is the inner error object for the `error` envelope, as the plain SDK gives it."""
    client = og.OpenAI(api_key="llmg_test", base_url="http://gateway.test")
    case = next(c for c in CASES if c.name == "circuit open")
    error = client._make_status_error_from_response(_response(case))
    assert error.body == case.body["error"]
    assert error.type == "provider_error"


def test_422_detail_keeps_the_list() -> None:
    client = og.OpenAI(api_key="llmg_test", base_url="http://gateway.test")
    case = next(c for c in CASES if c.name == "validation 422")
    error = client._make_status_error_from_response(_response(case))
    assert isinstance(error, og.APIError)
    assert error.detail == case.body["detail"]


def test_aliases_are_the_same_classes() -> None:
    assert og.GatewayClientError is og.APIError
    assert og.GatewayAuthError is og.AuthError
    assert og.GatewayRateLimitError is og.RateLimitError
    assert og.GatewayModelNotFoundError is og.ModelNotFoundError
    assert og.GatewayProviderError is og.ProviderError


def test_joined_classes_are_cached_and_named_like_their_gateway_class() -> None:
    assert og.ProviderError.for_status(401) is og.ProviderError.for_status(401)
    assert og.ProviderError.for_status(401).__name__ == "ProviderError"
    assert og.ProviderError.for_status(401).__module__ == "omnigate_openai"
