"""The deterministic offline provider behind the local gateway: OpenAI, Anthropic, Gemini and Azure.

Its answer is a pure function of the request, so tests can assert exact content, usage and cost.
It speaks like the stand-ins the reference cassettes were recorded against: the reply
`Hello there! How can I help?` in 8 deltas, 3 + (4 + words) prompt tokens per message, each
provider's native finish reasons and error bodies, and the `FAULT:` markers of the last user message.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from omnigate_openai.omnigate._pricing import Provider
from omnigate_openai.testing._faults import UpstreamFault

LABELS: dict[str, str] = {"openai": "OpenAI", "anthropic": "Anthropic", "gemini": "Gemini", "azure": "Azure OpenAI"}
"""How the gateway names each provider at the start of an upstream error message."""

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""What the gateway retries, and what its circuit breaker counts as a failure."""

ANTHROPIC_DEFAULT_MAX_TOKENS = 1024

DROPPED_STREAM_MESSAGE = "peer closed connection without sending complete message body (incomplete chunked read)"
"""httpx's text when an upstream drops a chunked body; the gateway forwards it unwrapped on streams."""

# The snapshot each provider reports for an alias. Some of them cannot be priced (4-digit suffixes, or
# trimmed names missing from the price table): the real server bills those calls $0, and so do we.
SNAPSHOTS: dict[str, str] = {
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4-turbo": "gpt-4-turbo-2024-04-09",
    "gpt-4": "gpt-4-0613",
    "gpt-3.5-turbo": "gpt-3.5-turbo-0125",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano": "gpt-4.1-nano-2025-04-14",
    "o1": "o1-2024-12-17",
    "o1-mini": "o1-mini-2024-09-12",
    "o3": "o3-2025-04-16",
    "o3-mini": "o3-mini-2025-01-31",
    "o4-mini": "o4-mini-2025-04-16",
    "claude-3-5-sonnet-latest": "claude-3-5-sonnet-20241022",
    "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
    "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
    "claude-3-opus-latest": "claude-3-opus-20240229",
    "gemini-1.5-flash": "gemini-1.5-flash-002",
    "gemini-1.5-pro": "gemini-1.5-pro-002",
    "gemini-1.5-flash-8b": "gemini-1.5-flash-8b-001",
    "gemini-2.0-flash": "gemini-2.0-flash-001",
    "gemini-2.0-flash-lite": "gemini-2.0-flash-lite-001",
}

_FINISH = {
    # provider: (natural end, cut by max_tokens, cut by a stop sequence)
    "openai": ("stop", "length", "stop"),
    "azure": ("stop", "length", "stop"),
    "anthropic": ("end_turn", "max_tokens", "stop_sequence"),
    "gemini": ("STOP", "MAX_TOKENS", "STOP"),
}

_MARKER = re.compile(
    r"FAULT:(?:MIDSTREAM:(?P<after>\d+)|SLOW:(?P<secs>\d+(?:\.\d+)?)|(?P<word>SAFETY|BLOCKED|LENGTH)|(?P<status>\d{3}))(?:@(?P<model>\S+))?"
)
_DELTA = re.compile(r"\s*[\w'-]+|\s*[^\w\s]|\s+$")


class ProviderError(Exception):
    """An upstream failure as the gateway's adapters raise it: the message and status it surfaces."""

    def __init__(self, message: str, status_code: int, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.status_code in RETRYABLE_STATUSES


class StreamBroken(Exception):
    """The upstream dropped a stream mid-body; the gateway forwards `str(exc)` unwrapped."""

    transient = True


@dataclass(frozen=True)
class UpstreamRequest:
    """What the gateway sends a provider, after translation."""

    provider: Provider
    model: str
    """The upstream model name: an Azure deployment, or a Gemini name without `models/`."""
    messages: tuple[tuple[str, str], ...]
    api_key: str
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpstreamReply:
    """A provider's complete answer, as the gateway sees it after parsing."""

    id: str
    model: str
    deltas: tuple[str, ...]
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int

    @property
    def text(self) -> str:
        return "".join(self.deltas)


def split_deltas(text: str) -> tuple[str, ...]:
    """The stream deltas (and completion tokens) of a reply: a word with its leading space, or a mark."""
    return tuple(_DELTA.findall(text))


def prompt_tokens(messages: Sequence[tuple[str, str]]) -> int:
    """3 tokens of priming plus 4 per message plus its whitespace-separated words."""
    return 3 + sum(4 + len(content.split()) for _, content in messages)


def reported_model(request: UpstreamRequest) -> str:
    """The model name the provider reports back (a dated snapshot where it has one)."""
    return SNAPSHOTS.get(request.model, request.model)


def marker_fault(request: UpstreamRequest) -> UpstreamFault | None:
    """The first `FAULT:` marker of the last user message that applies to this upstream model."""
    last_user = next((content for role, content in reversed(request.messages) if role == "user"), "")
    for match in _MARKER.finditer(last_user):
        if match["model"] not in (None, request.model):
            continue
        if match["after"] is not None:
            return UpstreamFault("midstream", int(match["after"]))
        if match["secs"] is not None:
            return UpstreamFault("slow", float(match["secs"]))
        if match["word"] is not None:
            return UpstreamFault(match["word"].lower())  # type: ignore[arg-type]
        return UpstreamFault("status", int(match["status"]))
    return None


def rejects_key(request: UpstreamRequest) -> bool:
    """Provider keys starting with `sk-bad` are refused with the provider's real authentication error."""
    return request.api_key.startswith("sk-bad")


def answer(request: UpstreamRequest, fault: UpstreamFault | None, *, reply: str) -> UpstreamReply:
    """The complete answer, or the ProviderError the gateway would raise for this request."""
    if rejects_key(request):
        raise auth_error(request)
    if fault is not None and fault.kind == "status":
        raise status_error(request, int(fault.value))
    if fault is not None and fault.kind == "blocked" and request.provider == "gemini":
        raise ProviderError("Gemini returned no candidates: SAFETY", 400)
    natural, cut_by_length, cut_by_stop = _FINISH[request.provider]
    text, finish = reply, natural
    stops = [(text.find(s), s) for s in request.stop if s and s in text]
    if stops:
        text, finish = text[: min(stops)[0]], cut_by_stop
    deltas = split_deltas(text)
    limit = request.max_tokens
    if limit is None and request.provider == "anthropic":
        limit = ANTHROPIC_DEFAULT_MAX_TOKENS
    if limit is not None and len(deltas) > limit:
        deltas, finish = deltas[:limit], cut_by_length
    if fault is not None and fault.kind == "length":
        deltas, finish = deltas[: max(1, len(deltas) // 2)], cut_by_length
    if fault is not None and fault.kind == "safety" and request.provider == "gemini":
        deltas, finish = (), "SAFETY"
    count = prompt_tokens(request.messages)
    return UpstreamReply(response_id(request), reported_model(request), deltas, finish, count, len(deltas))


def midstream_error(request: UpstreamRequest) -> Exception:
    """How a stream dies after some deltas: Anthropic sends an `error` event, the others drop the body."""
    if request.provider == "anthropic":
        return ProviderError("Anthropic stream error: Overloaded", 502)
    return StreamBroken(DROPPED_STREAM_MESSAGE)


def response_id(request: UpstreamRequest) -> str:
    """The provider's response id, derived from the request so repeated calls agree."""
    digest = hashlib.sha256(repr((request.provider, request.model, request.messages)).encode()).hexdigest()
    if request.provider == "anthropic":
        return "msg_01" + digest[:24]
    if request.provider == "gemini":
        return digest[:22]
    return "chatcmpl-" + digest[:24]


def auth_error(request: UpstreamRequest) -> ProviderError:
    """The provider's answer to a key it does not accept (Gemini says 400, the others 401)."""
    if request.provider == "gemini":
        return _error(
            request, 400, _gemini_body(400, "API key not valid. Please pass a valid API key.", invalid_key=True)
        )
    return status_error(request, 401)


def status_error(request: UpstreamRequest, status: int) -> ProviderError:
    """The provider's own error body for `status`, wrapped the way the gateway wraps it."""
    body = {"openai": _openai_body, "azure": _azure_body, "anthropic": _anthropic_body, "gemini": _gemini_status_body}[
        request.provider
    ](request, status)
    retry_after = 1.0 if status == 429 else None
    return _error(request, status, body, retry_after=retry_after)


def _error(request: UpstreamRequest, status: int, body: str, *, retry_after: float | None = None) -> ProviderError:
    return ProviderError(f"{LABELS[request.provider]} error {status}: {body}", status, retry_after=retry_after)


def _compact(payload: object) -> str:
    return json.dumps(payload, separators=(",", ":"))


def _masked(key: str) -> str:
    return f"{key[:8]}****{key[-4:]}"


def _openai_body(request: UpstreamRequest, status: int) -> str:
    message, kind, code = {
        401: (
            f"Incorrect API key provided: {_masked(request.api_key)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
        ),
        403: (
            "Country, region, or territory not supported",
            "request_forbidden",
            "unsupported_country_region_territory",
        ),
        404: (
            f"The model `{request.model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        ),
        429: (
            f"Rate limit reached for {request.model} in organization org-abc123 on requests per min (RPM): Limit 3, "
            "Used 3, Requested 1. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits "
            "to learn more.",
            "requests",
            "rate_limit_exceeded",
        ),
        503: ("The engine is currently overloaded, please try again later.", "server_error", None),
    }.get(status, ("The server had an error while processing your request. Sorry about that!", "server_error", None))
    return _compact({"error": {"message": message, "type": kind, "param": None, "code": code}})


def _azure_body(request: UpstreamRequest, status: int) -> str:
    if status == 401:
        message = (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
            "for an active subscription and use a correct regional API endpoint for your resource."
        )
        return _compact({"error": {"code": "401", "message": message}})
    if status == 404:
        return _compact(
            {"error": {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."}}
        )
    return _openai_body(request, status)


def _anthropic_body(request: UpstreamRequest, status: int) -> str:
    kind, message = {
        401: ("authentication_error", "invalid x-api-key"),
        403: ("permission_error", "Your API key does not have permission to use the specified resource."),
        404: ("not_found_error", f"model: {request.model}"),
        429: ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit."),
        529: ("overloaded_error", "Overloaded"),
    }.get(status, ("api_error", "Internal server error"))
    return _compact({"type": "error", "error": {"type": kind, "message": message}})


def _gemini_status_body(request: UpstreamRequest, status: int) -> str:
    message = {
        401: "Request had invalid authentication credentials.",
        403: "The caller does not have permission",
        404: f"models/{request.model} is not found for API version v1beta, or is not supported for generateContent.",
        429: "Resource has been exhausted (e.g. check quota).",
        503: "The model is overloaded. Please try again later.",
    }.get(status, "An internal error has occurred.")
    return _gemini_body(status, message)


_GEMINI_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}


def _gemini_body(status: int, message: str, *, invalid_key: bool = False) -> str:
    error: dict[str, object] = {"code": status, "message": message, "status": _GEMINI_STATUS.get(status, "INTERNAL")}
    if invalid_key:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ]
    return _compact({"error": error})


__all__ = [
    "DROPPED_STREAM_MESSAGE",
    "LABELS",
    "RETRYABLE_STATUSES",
    "SNAPSHOTS",
    "ProviderError",
    "StreamBroken",
    "UpstreamReply",
    "UpstreamRequest",
    "answer",
    "auth_error",
    "marker_fault",
    "midstream_error",
    "prompt_tokens",
    "reported_model",
    "response_id",
    "split_deltas",
    "status_error",
]
