"""Flow's envelopes -> typed errors, without a server: every envelope, every status class, no secret echoed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai.flow._errors import error_message, status_error, stream_error

URL = "http://platform.test/api/v1/gateway/v1/chat/completions"


def _response(status: int, body: object, *, headers: dict[str, str] | None = None, model: str = "openai/gpt-4o") -> Any:
    request = httpx.Request("POST", URL, json={"model": model, "messages": []}, headers={"Authorization": "Bearer jwt"})
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers or {}, request=request)


@dataclass(frozen=True)
class Envelope:
    name: str
    body: object
    message: str


ENVELOPES = [
    Envelope("platform", {"code": "TOKEN_EXPIRED", "message": "Token has expired", "details": []}, "Token has expired"),
    Envelope(
        "platform with a field",
        {"code": "VALIDATION_ERROR", "message": "Invalid value", "details": [{"field": "messages"}]},
        "Invalid value (field: messages)",
    ),
    Envelope(
        "platform naming its field already",
        {"code": "NOT_FOUND", "message": "Model 'x' not found", "details": [{"field": "model"}]},
        "Model 'x' not found (field: model)",
    ),
    Envelope(
        "litellm",
        {"error": {"message": "litellm.RateLimitError: slow down", "type": "throttling_error", "param": None}},
        "litellm.RateLimitError: slow down",
    ),
    Envelope("litellm, a bare string", {"error": "upstream exploded"}, "upstream exploded"),
    Envelope("fastapi", {"detail": "Not authenticated"}, "Not authenticated"),
    Envelope(
        "fastapi validation",
        {"detail": [{"loc": ["body", "model"], "msg": "Field required"}]},
        "body.model: Field required",
    ),
    Envelope(
        "fastapi validation, a bare location",
        {"detail": [{"loc": "model", "msg": "Required"}]},
        "model: Required",
    ),
    Envelope("fastapi validation, a numeric location", {"detail": [{"loc": 3, "msg": "Bad item"}]}, "3: Bad item"),
    Envelope("fastapi, a mapping", {"detail": {"message": "Quota used up"}}, "Quota used up"),
    Envelope("plain text", "  Bad Gateway\n", "Bad Gateway"),
    Envelope("empty", "", "The Flow gateway answered HTTP 500 with no message"),
    Envelope("unknown json", {"ok": False}, "The Flow gateway answered HTTP 500 with no message"),
]


@pytest.mark.parametrize("envelope", ENVELOPES, ids=lambda e: e.name)
def test_the_message_is_found_in_every_envelope(envelope: Envelope) -> None:
    assert error_message(envelope.body, 500) == envelope.message


@dataclass(frozen=True)
class Status:
    status: int
    raises: type[Exception]
    also: type[Exception]
    fields: dict[str, Any] = field(default_factory=dict)
    body: object = "failed"
    headers: dict[str, str] = field(default_factory=dict)


STATUSES = [
    Status(401, og.AuthError, openai.AuthenticationError),
    Status(403, og.AuthError, openai.PermissionDeniedError),
    Status(
        401,
        og.ProviderError,
        openai.AuthenticationError,
        {"provider": "openai", "upstream_status": 401},
        body={"error": {"message": "litellm.AuthenticationError: AuthenticationError: OpenAIException - bad key"}},
    ),
    Status(404, og.ModelNotFoundError, openai.NotFoundError, {"model": "openai/gpt-4o"}),
    Status(
        400,
        og.ModelNotFoundError,
        openai.BadRequestError,
        {"model": "openai/nope"},
        body={"error": {"message": "/chat/completions: Invalid model name passed in model=openai/nope. Call ..."}},
    ),
    Status(429, og.RateLimitError, openai.RateLimitError, {"retry_after": 7.0}, headers={"retry-after": "7"}),
    Status(429, og.RateLimitError, openai.RateLimitError, {"retry_after": None}),
    Status(502, og.ProviderError, openai.InternalServerError, {"provider": "openai"}),
    Status(400, og.APIError, openai.BadRequestError),
    Status(422, og.APIError, openai.UnprocessableEntityError),
    Status(500, og.APIError, openai.InternalServerError),
    Status(503, og.APIError, openai.InternalServerError),
]


@pytest.mark.parametrize("case", STATUSES, ids=lambda c: f"{c.status}-{c.raises.__name__}-{sorted(c.fields)}")
def test_each_status_gets_its_class_and_the_openai_one(case: Status) -> None:
    error = status_error(_response(case.status, case.body, headers=case.headers), case.body)
    assert isinstance(error, case.raises)
    assert isinstance(error, case.also)
    assert error.status_code == case.status
    for name, expected in case.fields.items():
        assert getattr(error, name) == expected, name


def test_the_flow_sdk_names_catch_the_same_errors() -> None:
    aliases = [(401, og.GatewayAuthError), (404, og.GatewayModelNotFoundError), (429, og.GatewayRateLimitError)]
    for status, alias in aliases:
        with pytest.raises(alias):
            raise status_error(_response(status, "x"), "x")
    with pytest.raises(og.GatewayProviderError):
        raise status_error(_response(502, "x"), "x")
    with pytest.raises(og.GatewayClientError):
        raise status_error(_response(418, "x"), "x")


def test_a_provider_error_of_a_bare_model_name_names_no_provider() -> None:
    error = status_error(_response(502, "x", model="gpt-4o"), "x")
    assert isinstance(error, og.ProviderError)
    assert error.provider is None


def test_a_credential_echoed_by_the_server_is_masked() -> None:
    request = httpx.Request("POST", URL, headers={"Authorization": "Bearer eyJ.secret-token", "X-API-Key": "fl_abcdef"})
    body = {"error": {"message": "Received=eyJ.secret-token, key fl_abcdef is invalid"}}
    response = httpx.Response(401, content=json.dumps(body).encode(), request=request)
    error = status_error(response, body)
    assert "secret-token" not in str(error)
    assert "fl_abcdef" not in str(error)
    assert str(error) == "Received=[secure], key [secure] is invalid"


@pytest.mark.parametrize(
    ("code", "raises", "also", "status"),
    [
        ("429", og.RateLimitError, openai.RateLimitError, 429),
        ("500", og.ProviderError, openai.InternalServerError, 500),
        (None, og.ProviderError, openai.InternalServerError, 502),
        ("400", og.APIError, openai.BadRequestError, 400),
        ("401", og.ProviderError, openai.AuthenticationError, 401),
    ],
)
def test_an_in_band_stream_failure_carries_its_own_status(
    code: str | None, raises: type[Exception], also: type[Exception], status: int
) -> None:
    error = stream_error(_response(200, ""), {"message": "upstream failed", "code": code})
    assert isinstance(error, raises)
    assert isinstance(error, also)
    assert error.status_code == status
    assert str(error) == "upstream failed"
    assert not isinstance(error, og.AuthError)  # the platform let the call in: its token is not at fault
