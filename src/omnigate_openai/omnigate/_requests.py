"""What is sent to `/v1/chat/completions`: refuse what the gateway would drop, rewrite what it can't read.

OmniGate silently ignores `tools`, `response_format` and the like, answers 400 to `tool` roles,
to any list `content` and to `n > 1`, and routes only bare model names. A request that would be
degraded is refused before sending with an error naming the field (design decision 3); a request
that can be rewritten without loss is rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import UnsupportedFeatureError

__all__ = ["checked_chat_body", "gateway_model_name"]

_PORTABLE_PREFIXES = ("openai/", "anthropic/", "google/", "gemini/")
"""`provider/model` names other gateways use; OmniGate routes the bare name (but keeps `azure/`)."""

_UNSUPPORTED_ROLES = ("tool", "function")

_OPT_OUT = "pass `allow_ignored_fields=True` to the client to send it anyway"


def gateway_model_name(model: str) -> str:
    """`anthropic/claude-3-5-haiku-latest` -> `claude-3-5-haiku-latest`; `azure/<deployment>` is kept."""
    if not isinstance(model, str) or not model.strip():
        raise ValueError(f"Expected a non-empty model name, got {model!r}")
    lowered = model.lower()
    for prefix in _PORTABLE_PREFIXES:
        if lowered.startswith(prefix):
            return model[len(prefix) :]
    return model


def checked_chat_body(
    body: Mapping[str, Any], extra: Mapping[str, Any], *, allow_ignored_fields: bool
) -> dict[str, Any]:
    """The body to send, or `UnsupportedFeatureError` naming the first field the gateway can't honour.

    `extra` is the caller's `extra_body`, checked too: the SDK merges it into the request later.
    """
    merged = {**body, **extra}
    if not allow_ignored_fields:
        _refuse_ignored_fields(merged)
    n = merged.get("n")
    if isinstance(n, int) and n > 1:
        raise UnsupportedFeatureError(f"OmniGate returns one choice per call; `n={n}` is not supported", field="n")
    checked = dict(body)
    if "model" in checked:
        checked["model"] = gateway_model_name(checked["model"])
    if "messages" in checked:
        checked["messages"] = [
            _checked_message(index, message, allow_ignored_fields=allow_ignored_fields)
            for index, message in enumerate(checked["messages"])
        ]
    return checked


def _refuse_ignored_fields(body: Mapping[str, Any]) -> None:
    ignored = {
        "tools": bool(body.get("tools")),
        "functions": bool(body.get("functions")),
        "tool_choice": body.get("tool_choice") not in (None, "none", "auto"),
        "function_call": body.get("function_call") not in (None, "none", "auto"),
        "response_format": _is_structured(body.get("response_format")),
        "logprobs": bool(body.get("logprobs")),
        "top_logprobs": bool(body.get("top_logprobs")),
        # "none" asks for no reasoning, as the Responses emulation reads `reasoning.effort` (openai-agents'
        # default model settings send it): nothing the answer could miss.
        "reasoning_effort": body.get("reasoning_effort") not in (None, "none"),
        "logit_bias": bool(body.get("logit_bias")),
        "web_search_options": body.get("web_search_options") is not None,
        "modalities": any(kind != "text" for kind in body.get("modalities") or ()),
        "audio": bool(body.get("audio")),
        "service_tier": body.get("service_tier") not in (None, "auto", "default"),
        "store": body.get("store") is True,  # the gateway stores no completion: `chat.completions.retrieve` is refused
        "fallback_models": "fallback_models" in body,
        "cache": "cache" in body,
    }
    for field, refused in ignored.items():
        if refused:
            raise UnsupportedFeatureError(
                f"OmniGate's OpenAI-compatible endpoint silently ignores `{field}`, so the answer would not "
                f"honour it; remove it, or {_OPT_OUT}.",
                field=field,
            )


def _is_structured(response_format: object) -> bool:
    if response_format is None:
        return False
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    return kind != "text"


def _checked_message(index: int, message: Any, *, allow_ignored_fields: bool) -> Any:
    if not isinstance(message, Mapping):
        return message
    role = message.get("role")
    if role in _UNSUPPORTED_ROLES:
        raise UnsupportedFeatureError(
            f"OmniGate rejects `{role}` messages (tool calling is not supported); messages[{index}] has role {role!r}",
            field=f"messages[{index}].role",
        )
    if message.get("tool_calls") and not allow_ignored_fields:
        raise UnsupportedFeatureError(
            f"OmniGate drops `tool_calls` from assistant messages; messages[{index}] has some; {_OPT_OUT}.",
            field=f"messages[{index}].tool_calls",
        )
    content = message.get("content")
    said = role == "assistant"  # an assistant's refusal is what it said (OpenAI's `refusal`, a field or a part)
    if isinstance(content, list):
        return {**message, "content": _flattened_text(index, content, refusals=said)}
    if said and content is None and isinstance(message.get("refusal"), str):
        kept = {key: value for key, value in message.items() if key != "refusal"}  # the gateway drops it
        return {**kept, "content": message["refusal"]}  # rather than null content, which it reads as ""
    return message


def _flattened_text(index: int, parts: list[Any], *, refusals: bool) -> str:
    """Text-only parts become one string, one part per line (OmniGate answers 400 to any list); others are refused."""
    texts = []
    for position, part in enumerate(parts):
        kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
        key = "refusal" if refusals and kind == "refusal" else "text"
        if kind != key or not isinstance(part.get(key), str):
            raise UnsupportedFeatureError(
                f"OmniGate accepts text only; messages[{index}].content[{position}] is of type {kind!r}",
                field=f"messages[{index}].content[{position}]",
            )
        texts.append(part[key])
    return "\n".join(texts)  # separate parts stay separate, as a provider reads consecutive text blocks
