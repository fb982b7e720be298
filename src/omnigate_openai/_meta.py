"""GatewayMeta: what the gateway said about a call, reachable from the result without `with_raw_response`.

The metadata rides on the result object itself (in pydantic's private slot, which `model_dump()`,
`to_json()` and the repr never show), so it lives exactly as long as the result does.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._sdk import NotGiven, httpx, model_copy

if TYPE_CHECKING:
    from ._sdk import FinalRequestOptions

__all__ = [
    "EMULATED_EXTENSION",
    "PROFILE_EXTENSION",
    "BudgetStatus",
    "GatewayMeta",
    "RateLimitStatus",
    "attach_meta",
    "emulated_in_request",
    "meta",
    "parsed_with_meta",
    "with_meta",
]

_SLOT = "_omnigate_meta"
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True)
class RateLimitStatus:
    """The project's per-minute request limit, from the gateway's rate-limit headers."""

    limit: int
    remaining: int
    reset: int
    """Seconds until the current minute's window ends."""


@dataclasses.dataclass(frozen=True)
class BudgetStatus:
    """One budget and what had been spent of it *before* this call (the gateway's budget headers)."""

    scope: Literal["project", "org"]
    period: Literal["daily", "monthly"]
    spend: Decimal
    limit: Decimal
    """`0` means unlimited."""


@dataclasses.dataclass(frozen=True)
class GatewayMeta:
    """What OmniGate reported about one call. Fields the gateway did not send are None."""

    request_id: str | None = None
    provider: str | None = None
    """The provider that answered: `openai`, `anthropic`, `gemini` or `azure`."""
    model: str | None = None
    """The model that answered, as the provider reported it."""
    cost_usd: float | None = None
    cached: bool | None = None
    fallback_used: bool | None = None
    latency_ms: int | None = None
    raw_finish_reason: str | None = None
    """The provider's own finish reason (`end_turn`, `STOP`, ...) before normalisation."""
    rate_limit: RateLimitStatus | None = None
    budgets: tuple[BudgetStatus, ...] = ()
    cost_note: str | None = None
    """Why `cost_usd` is None for a call the gateway bills (a stream of an alias, prices not fetched)."""
    emulated: tuple[str, ...] = ()
    """What the client served itself because the gateway can't: `tools`, `response_format`, `tool_history`,
    `verbosity`, `message_names`."""
    attempts: int | None = None
    """For an emulated call: the calls it took, re-asks included (usage and cost are summed over them)."""
    end_confirmed: bool | None = None
    """A native stream's end: True when the body ended with its HTTP framing complete, False when it was
    delimited only by the connection closing (nothing confirms it was the end); None for other results."""

    def replace(self, **changes: Any) -> GatewayMeta:
        return dataclasses.replace(self, **changes)

    def emulating(self, parts: tuple[str, ...]) -> GatewayMeta:
        """This metadata, saying that `parts` were emulated too: named first, each once. (Itself when there are none:
        every call asks, and a copy costs it microseconds.)"""
        if not parts:
            return self
        return dataclasses.replace(self, emulated=tuple(dict.fromkeys((*parts, *self.emulated))))


def meta(obj: object) -> GatewayMeta:
    """The gateway metadata of a completion, stream, gateway error or raw response.

    A raw response (`with_raw_response`) shows what its headers say; its `.parse()` result adds
    what the body says (the cost, the served model). A stream's metadata is complete once it is
    read to the end. Chunks carry metadata only where they say something of their own (a rewritten
    `finish_reason`), so that streaming stays cheap: ask the stream for the rest.
    Raises `TypeError` for an object that carries none.
    """
    found = _read(obj)
    if found is None:
        hint = " (ask the stream it came from: meta(stream))" if type(obj).__name__ == "ChatCompletionChunk" else ""
        raise TypeError(f"{type(obj).__name__} carries no gateway metadata{hint}")
    return found


def with_meta(obj: _T, value: GatewayMeta | None) -> _T:
    """`obj`, carrying `value` (if any): for hooks that hand the object on."""
    if value is not None:
        attach_meta(obj, value)
    return obj


def parsed_with_meta(options: FinalRequestOptions) -> FinalRequestOptions:
    """`options` whose post-parser (the SDK's `.parse()`) hands the completion's metadata on.

    `.parse()` builds a new `ParsedChatCompletion` from the completion it is given: without this, the
    result a caller holds would carry none of what the gateway said.
    """
    parser = options.post_parser
    if isinstance(parser, NotGiven):
        return options
    options = model_copy(options)
    options.post_parser = lambda completion: with_meta(parser(completion), _read(completion))
    return options


def attach_meta(obj: object, value: GatewayMeta) -> None:
    """Store `value` on a pydantic result (private slot) or any object with a `__dict__`."""
    private = getattr(obj, "__pydantic_private__", _MISSING)
    if private is not _MISSING:
        slots = dict(private) if isinstance(private, dict) else {}
        object.__setattr__(obj, "__pydantic_private__", {**slots, _SLOT: value})
    else:
        object.__setattr__(obj, _SLOT, value)


def _read(obj: object) -> GatewayMeta | None:
    private = getattr(obj, "__pydantic_private__", None)
    found = private.get(_SLOT) if isinstance(private, dict) else None
    if isinstance(found, GatewayMeta):
        return found
    value = getattr(obj, _SLOT, None)
    if isinstance(value, GatewayMeta):
        return value
    raw = getattr(obj, "http_response", obj)  # the SDK's raw and streamed response wrappers
    if isinstance(raw, httpx.Response):
        profile = raw.extensions.get(PROFILE_EXTENSION)  # set by the client that received it
        if profile is not None:
            found = profile.meta_from_headers(raw.headers)
            return found.emulating(emulated_in_request(raw)) if isinstance(found, GatewayMeta) else None
    return None


def emulated_in_request(response: httpx.Response) -> tuple[str, ...]:
    """What the profile emulated by rewriting the request of `response` (`EMULATED_EXTENSION`)."""
    parts = response.extensions.get(EMULATED_EXTENSION, ())
    return parts if isinstance(parts, tuple) else ()


_MISSING = object()

EMULATED_EXTENSION = "omnigate_openai.emulated"
"""The response extension in which a profile names what it emulated by rewriting the request alone (OmniGate:
`message_names`), set when the answer arrives (`note_response`): the metadata of the call's completion, raw
response and stream says it (an error's, read off its headers, does not, as it lacks emulated `tools` too)."""

PROFILE_EXTENSION = "omnigate_openai.profile"
"""The response extension under which a gateway client keeps its profile, so `meta(raw_response)` can
read the headers in that gateway's terms."""
