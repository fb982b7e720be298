"""Request bodies, validated the way OmniGate's FastAPI layer validates them.

The 422 lists carry pydantic's own `type`/`loc`/`msg`/`input`/`ctx`, so the models here declare the
same constraints as the server's (`le=2.0`, `min_length=8`, Literals) and the messages come out equal.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.requests import Request

from omnigate_openai.testing._interrupts import Refusal
from omnigate_openai.testing._responses import DetailResponse

ModelT = TypeVar("ModelT", bound=BaseModel)
_UUID = TypeAdapter(uuid.UUID)


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CompatMessage(_Body):
    role: str
    content: str | list[Any] | None = None
    name: str | None = None


class CompatChatRequest(_Body):
    """`OAIChatCompletionRequest`: unknown fields (tools, response_format, fallback_models...) are dropped."""

    model: str
    messages: list[CompatMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, ge=0.0, le=1.0)
    stop: str | list[str] | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    seed: int | None = None
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    user: str | None = None
    n: int | None = Field(default=None, ge=1)


class NativeMessage(_Body):
    role: Literal["system", "user", "assistant"]
    content: str


class NativeChatRequest(_Body):
    """`ChatRequest` of `POST /v1/chat`: the only place fallbacks and the cache flag exist."""

    model: str
    messages: list[NativeMessage] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    stream: bool = False
    top_p: float | None = Field(default=None, ge=0.0, le=1.0)
    stop: str | list[str] | None = None
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    seed: int | None = None
    fallback_models: list[str] = Field(default_factory=list, max_length=5)
    cache: bool | None = None


class ProviderKeyRequest(_Body):
    provider: Literal["openai", "anthropic", "gemini", "azure"]
    api_key: str = Field(min_length=8)
    meta: dict[str, Any] | None = None


class ApiKeyCreateRequest(_Body):
    name: str = Field(min_length=1, max_length=255)


class SignupRequest(_Body):
    email: str = Field(min_length=3, max_length=255)
    org_name: str | None = Field(default=None, max_length=255)
    project_name: str = Field(default="Default", max_length=255)


class OrgCreateRequest(_Body):
    name: str = Field(min_length=1, max_length=255)
    daily_budget: Decimal = Field(default=Decimal(0), ge=0)
    monthly_budget: Decimal = Field(default=Decimal(0), ge=0)


class ProjectCreateRequest(_Body):
    org_id: uuid.UUID
    name: str = Field(min_length=1, max_length=255)
    daily_budget: Decimal = Field(default=Decimal(0), ge=0)
    monthly_budget: Decimal = Field(default=Decimal(0), ge=0)
    rate_limit_per_min: int = Field(default=60, ge=1)


_MISSING_BODY = object()


async def read_json(request: Request) -> Any:
    """The parsed body; an unparseable one is refused here, before authentication, as FastAPI does."""
    raw = await request.body()
    if not raw:
        return _MISSING_BODY
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        detail = [
            {
                "type": "json_invalid",
                "loc": ["body", exc.pos],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": exc.msg},
            }
        ]
        raise Refusal(DetailResponse(detail, status_code=422)) from None
    except UnicodeDecodeError:
        detail = [
            {
                "type": "json_invalid",
                "loc": ["body", 0],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "Invalid UTF-8"},
            }
        ]
        raise Refusal(DetailResponse(detail, status_code=422)) from None
    except (RecursionError, ValueError):
        # Nested too deep, or an integer past Python's 4,300-digit limit: FastAPI answers these with a 400.
        raise Refusal(DetailResponse("There was an error parsing the body", status_code=400)) from None


def validate_body(model: type[ModelT], data: Any) -> ModelT:
    """The body as `model`, or a 422 with FastAPI's detail list (locations under `body`)."""
    if data is _MISSING_BODY:
        raise Refusal(
            DetailResponse(
                [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}], status_code=422
            )
        )
    try:
        return model.model_validate(data, from_attributes=True)  # as FastAPI validates bodies
    except ValidationError as exc:
        raise Refusal(DetailResponse(validation_detail(exc, "body"), status_code=422)) from None


def parse_uuid(value: str, *, location: str, name: str) -> uuid.UUID:
    """A path or query UUID, or the 422 `uuid_parsing` detail FastAPI gives for it."""
    try:
        return _UUID.validate_python(value)
    except ValidationError as exc:
        detail = validation_detail(exc, location, name)
        reason = _uuid_character_error(value)
        if reason is not None:  # newer pydantic-core words this differently from the server's
            detail[0]["msg"] = f"Input should be a valid UUID, {reason}"
            detail[0]["ctx"] = {"error": reason}
        raise Refusal(DetailResponse(detail, status_code=422)) from None


def _uuid_character_error(value: str) -> str | None:
    """The server's `uuid` crate message for a bad character (1-based position), if that is the fault."""
    body = value.removeprefix("urn:uuid:")
    offset = len(value) - len(body)
    for index, char in enumerate(body):
        if char not in "0123456789abcdefABCDEF-":
            return (
                "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], "
                f"found `{char}` at {offset + index + 1}"
            )
    return None


def validation_detail(exc: ValidationError, *location: str) -> list[dict[str, Any]]:
    """pydantic's errors as FastAPI serialises them: no `url`, `loc` prefixed, `ctx` made JSON-safe."""
    detail = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {
            "type": error["type"],
            "loc": [*location, *error["loc"]],
            "msg": error["msg"],
            "input": _jsonable(error["input"]),
        }
        if "ctx" in error:
            item["ctx"] = {key: _jsonable(value) for key, value in error["ctx"].items()}
        detail.append(item)
    return detail


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


__all__ = [
    "ApiKeyCreateRequest",
    "CompatChatRequest",
    "CompatMessage",
    "NativeChatRequest",
    "NativeMessage",
    "OrgCreateRequest",
    "ProjectCreateRequest",
    "ProviderKeyRequest",
    "SignupRequest",
    "parse_uuid",
    "read_json",
    "validate_body",
    "validation_detail",
]
