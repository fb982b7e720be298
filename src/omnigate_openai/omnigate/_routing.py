"""Which endpoint a chat call goes to (which provider a model goes to is `_model_route.py`).

OmniGate's OpenAI-compatible `/v1/chat/completions` silently drops `fallback_models` and `cache`;
only the native `/v1/chat` honours them. So a call that asks for either (per call in `extra_body`,
or through `client.with_routing(...)`) is rewritten to the native request before it is built, and
every other chat call keeps the compat route, checked as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._sdk import FinalRequestOptions
from ._native import Routing, native_chat_body
from ._requests import checked_chat_body
from ._speaker_names import names_spoken
from ._wire import CHAT_COMPLETIONS_PATH, NATIVE_CHAT_PATH, USER_ID_HEADER

__all__ = [
    "NAMES_SPOKEN",
    "ROUTING_FIELDS",
    "Routing",
    "chat_request",
    "requested_routing",
]

ROUTING_FIELDS = ("fallback_models", "cache")
"""The `extra_body` keys that choose the native route."""


def requested_routing(defaults: Routing, extra: Mapping[str, Any]) -> Routing:
    """The call's routing: its own `fallback_models` / `cache` over the client's `with_routing(...)`."""
    fallbacks = extra.get("fallback_models", defaults.fallbacks)
    return Routing(fallbacks=fallbacks or (), cache=extra.get("cache", defaults.cache))


def chat_request(options: FinalRequestOptions, *, routing: Routing, allow_ignored_fields: bool) -> FinalRequestOptions:
    """Check a chat call and choose its endpoint; requests other than chat pass unchanged.

    Routed calls go to `/v1/chat` with the caller's `extra_body` folded into the native body (the
    SDK would otherwise merge it in unchecked); other calls keep `/v1/chat/completions`.
    """
    if options.url != CHAT_COMPLETIONS_PATH or not isinstance(options.json_data, Mapping):
        return options
    extra = dict(options.extra_json) if isinstance(options.extra_json, Mapping) else {}
    wanted = requested_routing(routing, extra)
    for field in ROUTING_FIELDS:
        extra.pop(field, None)
    if wanted:
        merged = {**options.json_data, **extra}
        spoken = names_spoken(merged.get("messages"))
        body = native_chat_body(merged, wanted, allow_ignored_fields=allow_ignored_fields)
        user = merged.get("user")
        options.url, options.json_data, options.extra_json = NATIVE_CHAT_PATH, body, None
    else:  # the body's messages are checked (and their names said); the SDK merges `extra_body` in later
        spoken = names_spoken(options.json_data.get("messages"))
        body = checked_chat_body(options.json_data, extra, allow_ignored_fields=allow_ignored_fields)
        user = body.get("user")
        body = _with_usage_chunk(options, body, extra)
        options.json_data, options.extra_json = body, extra or None
    if spoken:
        object.__setattr__(options, NAMES_SPOKEN, True)  # read back by `remember_requested_model`
    if isinstance(user, str) and not _names_header(options, USER_ID_HEADER):
        # OmniGate ignores the body's `user`; the header is what its metrics attribute calls by. Per call
        # beats per client (the call's header overrides the client's default), as `extra_headers` does.
        options.headers = {**(options.headers or {}), USER_ID_HEADER: user}
    return options


USAGE_ADDED = "_omnigate_usage_added"
"""Set on the options of a compat stream whose usage chunk the client asked for (and will hide)."""

NAMES_SPOKEN = "_omnigate_names_spoken"
"""Set on the options of a chat call whose messages' `name`s were said in their text (`_speaker_names.py`)."""


def _with_usage_chunk(options: FinalRequestOptions, body: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Every compat stream asks for the usage chunk: the gateway bills the stream, so the client prices it.

    When the caller did not ask for it, the stream class drops that chunk from what they iterate.
    """
    if not {**body, **extra}.get("stream"):
        return body
    wanted = {**body, **extra}.get("stream_options")
    if isinstance(wanted, Mapping) and wanted.get("include_usage"):
        return body
    stream_options = dict(wanted) if isinstance(wanted, Mapping) else {}
    extra_options = extra.get("stream_options")
    if isinstance(extra_options, Mapping) and isinstance(extra, dict):
        extra["stream_options"] = {**extra_options, "include_usage": True}
    object.__setattr__(options, USAGE_ADDED, True)  # read back by `remember_requested_model`
    return {**body, "stream_options": {**stream_options, "include_usage": True}}


def _names_header(options: FinalRequestOptions, name: str) -> bool:
    headers = options.headers if isinstance(options.headers, Mapping) else {}
    return any(key.lower() == name for key in headers)
