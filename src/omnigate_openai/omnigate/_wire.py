"""Wire facts of OmniGate 0.2: header names, paths and the texts its errors are told apart by.

Every string the client matches against the gateway's answers lives here, so a change of the
server's wording is a change of this one file (see the protocol document, sections 0.7 and 0.8).
The patterns are kept as text, matched with `re.match(PATTERN, text)`: `re` compiles each on its
first use and keeps it, so `import omnigate_openai` does not compile them all (they are read on
error paths only).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ADMIN_KEY_HEADER",
    "API_KEY_HEADER",
    "BUDGET_EXCEEDED",
    "CHAT_COMPLETIONS_PATH",
    "CIRCUIT_OPEN",
    "ENV_ADMIN_KEY",
    "ENV_API_KEY",
    "ENV_BASE_URL",
    "ENV_USER_ID",
    "FINISH_REASONS",
    "MAX_USER_ID_LENGTH",
    "NATIVE_CHAT_PATH",
    "PROVIDER_FAILURES",
    "PROVIDER_NAMES",
    "PROVIDER_UNAVAILABLE",
    "UNKNOWN_MODEL",
    "USER_ID_HEADER",
]

ENV_API_KEY: Final = "OMNIGATE_API_KEY"
ENV_BASE_URL: Final = "OMNIGATE_BASE_URL"
ENV_USER_ID: Final = "OMNIGATE_USER_ID"
ENV_ADMIN_KEY: Final = "OMNIGATE_ADMIN_KEY"

API_KEY_HEADER: Final = "x-api-key"
USER_ID_HEADER: Final = "x-user-id"
ADMIN_KEY_HEADER: Final = "x-admin-key"

CHAT_COMPLETIONS_PATH: Final = "/chat/completions"
NATIVE_CHAT_PATH: Final = "/chat"

MAX_USER_ID_LENGTH: Final = 255
"""The usage table's column width: a longer `x-user-id` makes a non-stream call fail with a bare 500."""

PROVIDER_NAMES: Final = {"openai": "openai", "anthropic": "anthropic", "gemini": "gemini", "azure openai": "azure"}
"""How the gateway's messages name each provider, lower-cased, mapped to its provider id."""

_NAMED = r"(?P<provider>OpenAI|Anthropic|Gemini|Azure OpenAI)"

PROVIDER_FAILURES: Final = (
    rf"^{_NAMED} error (?P<status>\d{{3}}):",  # the provider answered with this status
    rf"^{_NAMED} request failed:",  # transport failure; the gateway answers 502
    r"^(?P<provider>Anthropic) stream error:",
    r"^(?P<provider>Gemini) returned no candidates:",
    r"^(?P<provider>openai|anthropic|gemini|azure) call failed:",
    r"^No provider candidate could handle the request",
)
"""A provider's failure, passed through by the gateway with the provider's own status."""

PROVIDER_UNAVAILABLE: Final = (
    r"^(?:No (?P<provider>openai|anthropic|gemini|azure) key configured"
    r"|(?P<azure>Azure) (?:credential is missing|deployment not specified))"
)
"""The provider could not be called at all: its key or its Azure settings are missing."""

CIRCUIT_OPEN: Final = r"^(?P<provider>openai|anthropic|gemini|azure) circuit is open"

UNKNOWN_MODEL: Final = r"^(?:No provider registered for model '(?P<routed>.*)'|model '(?P<priced>.*)' not found)$"

BUDGET_EXCEEDED: Final = r"^(?P<scope>Project|Organisation) (?P<period>daily|monthly) budget exceeded"

FINISH_REASONS: Final = {
    # Anthropic
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
    # Gemini
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "LANGUAGE": "content_filter",
    "OTHER": "stop",
    "FINISH_REASON_UNSPECIFIED": "stop",
    "MALFORMED_FUNCTION_CALL": "stop",
}
"""Provider-native finish reasons and the OpenAI value each one means. OpenAI's own pass unchanged."""
