"""What a chat answer becomes before the SDK builds its object: OpenAI-shaped data, and its GatewayMeta.

A native `ChatResponse` becomes the `chat.completion` the caller asked for; provider-native
finish reasons become OpenAI's. The metadata joins the headers (request id, rate limit, budgets,
`x-llmgw-*`) with what the body says: the server's cost on the native route, or on the compat route
(which reports none) the cost of its usage at the gateway's prices.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from openai.types.chat import ChatCompletion

from .._meta import EMULATED_EXTENSION, GatewayMeta
from .._sdk import httpx
from .._streaming import HIDDEN_USAGE
from ._finish_reasons import normalise_finish_reasons
from ._metadata import meta_from_headers
from ._native import completion_from_native, is_native_answer
from ._pricing import Cost, Prices, price_call, provider_for_model
from ._routing import NAMES_SPOKEN, USAGE_ADDED
from ._speaker_names import SPOKEN_NAMES

__all__ = ["chat_result", "merged_meta", "remember_requested_model"]


def chat_result(
    data: object, cast_to: object, response: httpx.Response, prices: Prices | None
) -> tuple[object, GatewayMeta | None]:
    """(the data to build `cast_to` from, the metadata to attach to it, or None for non-chat data)."""
    if is_native_answer(data) and isinstance(cast_to, type) and issubclass(cast_to, ChatCompletion):
        assert isinstance(data, dict)
        completion, facts = completion_from_native(data, response.headers)
        raw = normalise_finish_reasons(completion)
        return completion, merged_meta(meta_from_headers(response.headers), facts).replace(raw_finish_reason=raw)
    raw = normalise_finish_reasons(data)
    if isinstance(data, dict) and data.get("object") == "chat.completion":
        return data, compat_meta(data, response, prices, raw_finish_reason=raw)
    if raw is not None:  # a stream's finish chunk: the one chunk whose metadata says something
        return data, meta_from_headers(response.headers, raw_finish_reason=raw)
    return data, None


def compat_meta(
    data: dict[str, Any], response: httpx.Response, prices: Prices | None, *, raw_finish_reason: str | None
) -> GatewayMeta:
    """The compat route's metadata: headers, plus what the client can work out as the gateway would."""
    model = data.get("model") if isinstance(data.get("model"), str) else None
    requested = requested_model(response)
    cost = Cost(None, "the answer named no model") if model is None else price_call(prices, model, data.get("usage"))
    return meta_from_headers(
        response.headers,
        provider=provider_for_model(requested or model or ""),
        model=model,
        cost_usd=cost.usd,
        cost_note=cost.note,
        fallback_used=False,  # the compat route has no fallback
        latency_ms=_elapsed_ms(response),
        raw_finish_reason=raw_finish_reason,
    )


def merged_meta(base: GatewayMeta, facts: GatewayMeta) -> GatewayMeta:
    """`base` with every field `facts` knows replaced: the body is more precise than the headers."""
    known = {
        field.name: getattr(facts, field.name)
        for field in dataclasses.fields(facts)
        if getattr(facts, field.name) not in (None, ())
    }
    return base.replace(**known)


REQUESTED_MODEL = "omnigate_openai.requested_model"
"""The response extension under which the client keeps the model its call named (`remember_requested_model`)."""


def remember_requested_model(options: Any, response: httpx.Response) -> None:
    """Keeps the model a chat call named with its response, from the options the request was built of.

    The metadata needs it to name the provider (`azure/gpt-4o` is served as `gpt-4o`); reading it
    back from the request's body would parse the whole conversation again, on every call. Every
    response passes the client's `_process_response`, which calls this.
    """
    body, extra = options.json_data, options.extra_json
    model = extra.get("model") if isinstance(extra, Mapping) and "model" in extra else None
    if model is None and isinstance(body, Mapping):
        model = body.get("model")
    if isinstance(model, str):
        response.extensions[REQUESTED_MODEL] = model
    if getattr(options, USAGE_ADDED, False):
        response.extensions[HIDDEN_USAGE] = True
    if getattr(options, NAMES_SPOKEN, False):
        response.extensions[EMULATED_EXTENSION] = (SPOKEN_NAMES,)


def requested_model(response: httpx.Response) -> str | None:
    """The model the request named, as the client kept it (`remember_requested_model`)."""
    kept = response.extensions.get(REQUESTED_MODEL)
    return kept if isinstance(kept, str) else None


def _elapsed_ms(response: httpx.Response) -> int | None:
    try:
        return round(response.elapsed.total_seconds() * 1000)
    except RuntimeError:  # the body is still open
        return None
