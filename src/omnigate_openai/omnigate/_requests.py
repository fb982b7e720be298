"""What is sent to `/v1/chat/completions`: refuse what the gateway would drop, rewrite what it can't read.

OmniGate silently ignores `tools`, `response_format`, `prediction` and the like, forwards the
penalties and `seed` to OpenAI and Azure only, answers 400 to `tool` roles, to any list `content`
and to `n > 1`, and routes only bare model names. A request that would be degraded is refused
before sending with an error naming the field (design decision 3); a request that can be rewritten
without loss is rewritten; a message's `name` is said in its text where it tells speakers apart
(`_speaker_names.py`).
`metadata` is sent as it is: OpenAI keeps it only on a stored completion, and `store=True` is
refused, so nothing the caller could read back is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._exceptions import UnsupportedFeatureError
from ._pricing import Provider, provider_for_model
from ._speaker_names import roles_told_apart, speaker, with_speaker, without_name

__all__ = ["checked_chat_body", "gateway_model_name", "refuse_unforwarded_fields"]

_PORTABLE_PREFIXES = ("openai/", "anthropic/", "google/", "gemini/")
"""`provider/model` names other gateways use; OmniGate routes the bare name (but keeps `azure/`)."""

_UNSUPPORTED_ROLES = ("tool", "function")

_OPT_OUT = "pass `allow_ignored_fields=True` to the client to send it anyway"

_SAMPLING_FIELDS = ("presence_penalty", "frequency_penalty", "seed")
"""Forwarded to OpenAI and Azure only: Anthropic's and Gemini's adapters drop them, on both chat routes."""
_DROPPING: dict[Provider | None, str] = {"anthropic": "goes to Anthropic", "gemini": "goes to Gemini"}

_CONSEQUENCE = {"prediction": "would not be sped up by it"}
"""What the answer misses when the gateway drops a field; any other field: it would not honour it."""


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
        refuse_unforwarded_fields(merged, merged.get("model"))
    n = merged.get("n")
    if isinstance(n, int) and n > 1:
        raise UnsupportedFeatureError(f"OmniGate returns one choice per call; `n={n}` is not supported", field="n")
    checked = dict(body)
    if "model" in checked:
        checked["model"] = gateway_model_name(checked["model"])
    if "messages" in checked:
        told_apart = roles_told_apart(checked["messages"])
        checked["messages"] = [
            _checked_message(index, message, told_apart=told_apart, allow_ignored_fields=allow_ignored_fields)
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
        "prediction": bool(body.get("prediction")),
        "fallback_models": "fallback_models" in body,
        "cache": "cache" in body,
    }
    for field, refused in ignored.items():
        if refused:
            consequence = _CONSEQUENCE.get(field, "would not honour it")
            raise UnsupportedFeatureError(
                f"OmniGate's OpenAI-compatible endpoint silently ignores `{field}`, so the answer {consequence}; "
                f"remove it, or {_OPT_OUT}.",
                field=field,
            )


def refuse_unforwarded_fields(body: Mapping[str, Any], model: object, *, fallback: bool = False) -> None:
    """`UnsupportedFeatureError` for a penalty or `seed` that `model`'s provider (by OmniGate's prefix rule) drops.

    A penalty of 0 is OpenAI's default and asks for nothing. A name the gateway routes nowhere is left
    to the gateway, whose 400 names the real problem (`ModelNotFoundError`: no provider for the model):
    nothing is dropped from a call that is not served.
    """
    if not isinstance(model, str) or not model.strip():
        return  # `gateway_model_name` refuses it
    provider = provider_for_model(gateway_model_name(model))
    if provider not in _DROPPING:
        return  # OpenAI, Azure; or no provider at all
    for field in _SAMPLING_FIELDS:
        value = body.get(field)
        if value is None or (field != "seed" and value == 0):
            continue
        raise UnsupportedFeatureError(
            f"OmniGate forwards `{field}` to OpenAI and Azure only; {'fallback ' if fallback else ''}model {model!r} "
            f"{_DROPPING[provider]}, so the answer would not honour it; remove it, or {_OPT_OUT}.",
            field=field,
        )


def _is_structured(response_format: object) -> bool:
    if response_format is None:
        return False
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    return kind != "text"


def _checked_message(index: int, message: Any, *, told_apart: frozenset[str | None], allow_ignored_fields: bool) -> Any:
    """`message` as the gateway can read it, or `UnsupportedFeatureError`; `told_apart`: the roles whose
    speakers are said in their text. Tool emulation ran first and wrote a tool call as text, which its
    speaker opens; a call sent with the opt-out (the gateway drops `tool_calls`) keeps its speaker's line."""
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
        message = {**message, "content": _flattened_text(index, content, refusals=said)}
    elif said and content is None and isinstance(message.get("refusal"), str):
        kept = {key: value for key, value in message.items() if key != "refusal"}  # the gateway drops it
        message = {**kept, "content": message["refusal"]}  # rather than null content, which it reads as ""
    if speaker(message, told_apart) is not None:
        return with_speaker(message, message.get("content"))
    return without_name(message) if "name" in message else message


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
