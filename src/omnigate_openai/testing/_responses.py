"""Every wire shape the local gateway answers with, and nowhere else.

OmniGate mixes envelopes: FastAPI's `{"detail": ...}` for most errors (even on the OpenAI-compatible
route), the OpenAI `{"error": {...}}` object only for errors the compat handlers raise themselves,
compact `data:` frames for SSE, and a plain-text 500 when the server itself breaks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from starlette.responses import JSONResponse, PlainTextResponse, Response

ErrorType = Literal["invalid_request_error", "provider_error"]


class JSONAnswer(JSONResponse):
    """A JSON body as FastAPI writes it: UTF-8, non-ASCII as is. A lone surrogate (half a UTF-16 pair, which a
    provider's `\\ud83d` escape leaves in a string) has no UTF-8 form, so such a body is written with its
    non-ASCII escaped, as every SSE frame is, where Starlette's encoding would fail the answer with a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode()


class DetailResponse(JSONAnswer):
    """FastAPI's `{"detail": ...}` shape: auth, rate limit, budget, validation and native-route errors."""

    def render(self, content: Any) -> bytes:
        return super().render({"detail": content})


class OpenAIErrorResponse(JSONAnswer):
    """The OpenAI error object, used only for errors the compat and model-card handlers raise."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        error_type: ErrorType | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.error_type: ErrorType = error_type or error_type_for(status_code)
        super().__init__(message, status_code=status_code, headers=headers)

    def render(self, content: Any) -> bytes:
        return super().render({"error": {"message": content, "type": self.error_type, "param": None, "code": None}})


class NoContentResponse(Response):
    """The gateway's 204: a JSON content type, an empty body and no content-length (protocol §11.4)."""

    media_type = "application/json"

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(content=None, status_code=204, headers=headers)


class UnhandledErrorResponse(PlainTextResponse):
    """What Starlette's last-resort handler sends when the server raises: plain text, no request id."""

    def __init__(self) -> None:
        super().__init__("Internal Server Error", status_code=500)


def error_type_for(status_code: int) -> ErrorType:
    """The compat handler's rule: a 5xx is the provider's fault, anything else the request's."""
    return "provider_error" if status_code >= 500 else "invalid_request_error"


def sse_frame(payload: Mapping[str, Any] | str) -> bytes:
    """One SSE frame as OmniGate writes it: compact JSON, non-ASCII escaped, no `event:`/`id:` lines."""
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    return f"data: {data}\n\n".encode()


def plain_text(text: str) -> bytes:
    """Text of the native plain-text stream in UTF-8; a lone surrogate, which has no UTF-8 form, as U+FFFD."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode()


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def sse_error(message: str) -> bytes:
    """The in-band error frame of a compat stream: no `param`, no `code`, always `provider_error`."""
    return sse_frame({"error": {"message": message, "type": "provider_error"}})


NATIVE_ERROR_SENTINEL = "\n[error] "
"""What the native plain-text stream writes before the message of a failure that happened mid-stream."""

SSE_DONE = sse_frame("[DONE]")


__all__ = [
    "NATIVE_ERROR_SENTINEL",
    "SSE_DONE",
    "DetailResponse",
    "ErrorType",
    "JSONAnswer",
    "NoContentResponse",
    "OpenAIErrorResponse",
    "UnhandledErrorResponse",
    "error_type_for",
    "plain_text",
    "sse_error",
    "sse_frame",
]
