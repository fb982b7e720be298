"""The fast model path builds exactly what the SDK's `construct_type` builds, or declines.

Compared field by field, type by type: the class of every nested object and value (an `int` is not
a `float`), `model_fields_set`, extras, the private slot, `model_dump()`, `to_json()` and the repr.
Data: every chunk and completion in the OmniGate 0.2.0 reference cassettes, the bench server's
frames, and a few thousand randomized chunks and completions, valid and malformed.
"""

from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path
from typing import Any, get_args

import openai
import pydantic
import pytest
import yaml
from openai._models import construct_type
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import omnigate_openai as og
from omnigate_openai._fast_models import construct_fast, fast_model_types
from omnigate_openai.omnigate._finish_reasons import normalise_finish_reasons
from omnigate_openai.testing import LocalGateway

CASSETTES = Path(__file__).parent / "reference_cassettes"
MODELS = (ChatCompletionChunk, ChatCompletion)


def _cassette_payloads() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(CASSETTES.glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            body = interaction["response"]["body"].get("string") or ""
            lines = [line[6:] for line in body.splitlines() if line.startswith("data: ")]
            for text in lines if "data: " in body else [body]:
                try:
                    payload = json.loads(text)
                except ValueError:
                    continue
                if isinstance(payload, dict) and payload.get("object") in ("chat.completion", "chat.completion.chunk"):
                    found.append(payload)
    return found


CASSETTE_PAYLOADS = _cassette_payloads()


def _model_for(payload: dict[str, Any]) -> type[pydantic.BaseModel]:
    return ChatCompletion if payload.get("object") == "chat.completion" else ChatCompletionChunk


def assert_same(fast: object, sdk: object, path: str = "$") -> None:
    """Identical as far as any user can tell: classes, values, value types, fields set, extras."""
    assert type(fast) is type(sdk), f"{path}: {type(fast).__name__} != {type(sdk).__name__}"
    if isinstance(sdk, pydantic.BaseModel):
        assert isinstance(fast, pydantic.BaseModel)
        assert fast.model_fields_set == sdk.model_fields_set, path
        assert list(fast.__dict__) == list(sdk.__dict__), path
        for name, value in sdk.__dict__.items():
            assert_same(fast.__dict__[name], value, f"{path}.{name}")
        assert_same(fast.__pydantic_extra__, sdk.__pydantic_extra__, f"{path}.<extra>")
        assert fast.__pydantic_private__ == sdk.__pydantic_private__, path
    elif isinstance(sdk, dict):
        assert isinstance(fast, dict)
        assert list(fast) == list(sdk), path
        for key, value in sdk.items():
            assert_same(fast[key], value, f"{path}[{key!r}]")
    elif isinstance(sdk, list):
        assert isinstance(fast, list)
        assert len(fast) == len(sdk), path
        for index, (left, right) in enumerate(zip(fast, sdk, strict=True)):
            assert_same(left, right, f"{path}[{index}]")
    elif isinstance(sdk, float) and math.isnan(sdk):
        assert isinstance(fast, float)
        assert math.isnan(fast), path
    else:
        assert fast == sdk, path


def check(model: type[pydantic.BaseModel], payload: dict[str, Any]) -> bool:
    """Compare the fast path with the SDK's; True when the fast path built the object itself."""
    sdk = construct_type(type_=model, value=copy.deepcopy(payload))
    fast = construct_fast(model, copy.deepcopy(payload))
    if fast is None:
        return False
    assert_same(fast, sdk)
    assert isinstance(sdk, pydantic.BaseModel)
    assert fast.model_dump() == sdk.model_dump()
    assert fast.to_json() == sdk.to_json()  # type: ignore[attr-defined]
    assert repr(fast) == repr(sdk)
    return True


def test_the_fast_models_are_the_chat_models() -> None:
    assert fast_model_types() == frozenset(MODELS)


@pytest.mark.parametrize("model", MODELS)
def test_every_nested_model_is_safe_to_validate(model: type[pydantic.BaseModel]) -> None:
    """What makes strict validation equal construction: nothing in the tree runs code or rewrites a key."""
    seen: set[type[pydantic.BaseModel]] = set()

    def walk(annotation: object) -> None:
        for arg in get_args(annotation):
            walk(arg)
        if not (isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel)) or annotation in seen:
            return
        seen.add(annotation)
        assert annotation.__init__ is pydantic.BaseModel.__init__, annotation
        assert annotation.model_post_init is pydantic.BaseModel.model_post_init, annotation
        decorators = annotation.__pydantic_decorators__
        assert not decorators.field_validators, annotation
        assert not decorators.model_validators, annotation
        assert not decorators.validators, annotation
        assert annotation.model_config.get("extra") == "allow", annotation
        for name, field in annotation.model_fields.items():
            assert field.alias is None, (annotation, name)
            assert field.is_required() or (field.default is None and field.default_factory is None), (annotation, name)
            walk(field.annotation)

    walk(model)
    assert len(seen) > 5


@pytest.mark.parametrize("payload", CASSETTE_PAYLOADS, ids=lambda p: f"{p['object']}-{p['id'][-6:]}")
def test_reference_cassette_payloads_build_identically(payload: dict[str, Any]) -> None:
    check(_model_for(payload), payload)  # as the gateway sent it: provider-native finish reasons may decline
    normalised = copy.deepcopy(payload)
    normalise_finish_reasons(normalised)  # what the shim's hook does before building
    assert check(_model_for(normalised), normalised), "a well-formed gateway payload must take the fast path"


def test_the_cassettes_hold_chunks_and_completions() -> None:
    kinds = {payload["object"] for payload in CASSETTE_PAYLOADS}
    assert kinds == {"chat.completion", "chat.completion.chunk"}
    assert len(CASSETTE_PAYLOADS) > 20


# Randomized payloads: valid shapes, odd-but-valid values, and things only the lenient path accepts.
_ODD = [None, 0, 1, -1, 2**60 + 1, 1.0, 1.5, float("inf"), float("nan"), "", "x", "1", True, False]
_ODD += [[], {}, [1], {"a": 1}]


def _odd(rng: random.Random, usual: Any) -> Any:
    return usual if rng.random() < 0.8 else rng.choice(_ODD)


def _logprobs(rng: random.Random) -> Any:
    def entry() -> dict[str, Any]:
        return {
            "token": _odd(rng, "tok"),
            "logprob": _odd(rng, rng.choice([-0.5, 0, -3, 2**60 + 1, -1.25])),
            "bytes": _odd(rng, [116, 111]),
            "top_logprobs": [{"token": "t", "logprob": _odd(rng, -1), "bytes": None}],
        }

    return rng.choice([None, {"content": [entry(), entry()], "refusal": None}, {"content": None}, _odd(rng, None)])


def _tool_calls(rng: random.Random, streamed: bool) -> Any:
    call: dict[str, Any] = {
        "id": _odd(rng, "call_1"),
        "type": _odd(rng, rng.choice(["function", "custom"])),
        "function": _odd(rng, {"name": "f", "arguments": "{}"}),
    }
    if streamed:
        call["index"] = _odd(rng, 0)
    if rng.random() < 0.2:
        call["custom"] = {"name": "c", "input": "x"}
    return rng.choice([None, [call], _odd(rng, [])])


def _usage(rng: random.Random) -> Any:
    usage: dict[str, Any] = {
        "prompt_tokens": _odd(rng, 9),
        "completion_tokens": _odd(rng, 7),
        "total_tokens": _odd(rng, 16),
    }
    if rng.random() < 0.3:
        usage["prompt_tokens_details"] = {"cached_tokens": _odd(rng, 0), "audio_tokens": None}
    if rng.random() < 0.3:
        usage["completion_tokens_details"] = {"reasoning_tokens": _odd(rng, 3), "future": 1}
    return _odd(rng, usage)


def random_payload(rng: random.Random, streamed: bool) -> dict[str, Any]:
    finish = rng.choice([None, "stop", "length", "tool_calls", "content_filter", "end_turn", "STOP", 1])
    message: dict[str, Any] = {
        "role": _odd(rng, rng.choice(["assistant", "user", "developer", "system", "tool"])),
        "content": _odd(rng, rng.choice(["Hello", "", "tok "])),
    }
    for key, value in (("refusal", None), ("tool_calls", _tool_calls(rng, streamed)), ("annotations", None)):
        if rng.random() < 0.4:
            message[key] = value
    if rng.random() < 0.1:
        message["function_call"] = _odd(rng, {"name": "f", "arguments": "{}"})
    if rng.random() < 0.1:
        message["unknown_field"] = _odd(rng, {"nested": [1, 2]})
    choice: dict[str, Any] = {"index": _odd(rng, 0), "finish_reason": finish}
    choice["delta" if streamed else "message"] = _odd(rng, message)
    if rng.random() < 0.3:
        choice["logprobs"] = _logprobs(rng)
    payload: dict[str, Any] = {
        "id": _odd(rng, "chatcmpl-abc"),
        "object": "chat.completion.chunk" if streamed else "chat.completion",
        "created": _odd(rng, 1_795_418_164),
        "model": _odd(rng, "gpt-4o-mini"),
        "choices": rng.choice([[choice], [choice, copy.deepcopy(choice)], [], _odd(rng, [choice])]),
    }
    for key, value in (
        ("usage", _usage(rng)),
        ("system_fingerprint", _odd(rng, "fp_1")),
        ("service_tier", _odd(rng, rng.choice(["auto", "default", "flex", "scale", "priority", "premium"]))),
        ("provider", "openai"),
    ):
        if rng.random() < 0.3:
            payload[key] = value
    for key in list(payload):
        if rng.random() < 0.03:
            del payload[key]
    return payload


@pytest.mark.parametrize("streamed", [True, False], ids=["chunk", "completion"])
def test_randomized_payloads_build_identically_or_take_the_sdk_path(streamed: bool) -> None:
    rng = random.Random(20261123 + streamed)
    fast = 0
    for _ in range(1500):
        payload = random_payload(rng, streamed)
        fast += check(ChatCompletionChunk if streamed else ChatCompletion, payload)
    assert 150 < fast < 1500  # both paths were exercised


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (ChatCompletionChunk, None),
        (ChatCompletionChunk, [{"id": "x"}]),
        (ChatCompletionChunk, "text"),
        (ChatCompletionChunk, {"id": "x"}),  # required fields missing: the SDK fills None, leniently
        (openai.types.Model, {"id": "m", "object": "model", "created": 1, "owned_by": "o"}),  # not a fast model
        (dict, {"a": 1}),
    ],
)
def test_declines_what_it_does_not_own(model: Any, data: object) -> None:
    assert construct_fast(model, data) is None


def test_the_bench_servers_frames_build_identically(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).parents[1]))  # `bench/` sits at the repository root
    from bench.server import sse_body

    frames = [line[6:] for write in sse_body(20) for line in write.decode().split("\r\n") if line.startswith("data: {")]
    assert len(frames) == 22
    for frame in frames:
        assert check(ChatCompletionChunk, json.loads(frame))


class _FastSDK(openai.OpenAI):
    """Where the proposed wiring puts the fast path: in place of the SDK's construction, under the shim's hook."""

    def _process_response_data(self, *, data: object, cast_to: type[Any], response: Any) -> Any:
        result = None if self._strict_response_validation else construct_fast(cast_to, data)
        if result is None:
            return super()._process_response_data(data=data, cast_to=cast_to, response=response)
        return result


class _WiredOpenAI(og.OpenAI, _FastSDK):  # type: ignore[misc]
    """The shim with the fast path wired in as proposed: its hook normalises, the fast path builds, meta attaches."""


def test_a_stream_through_the_fast_path_equals_the_sdk_path(local_gateway: LocalGateway) -> None:
    """End to end: the chunks of a real stream, and a completion, as the wired shim and the shim build them."""
    assert _WiredOpenAI.__mro__.index(_FastSDK) > _WiredOpenAI.__mro__.index(og.OpenAI)
    options: dict[str, Any] = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key, "max_retries": 0}
    request: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    usage = {"include_usage": True}
    with og.OpenAI(**options) as shim, _WiredOpenAI(**options) as wired:
        expected = list(shim.chat.completions.create(**request, stream=True, stream_options=usage))
        got = list(wired.chat.completions.create(**request, stream=True, stream_options=usage))
        assert len(got) == len(expected) > 3
        for left, right in zip(got, expected, strict=True):
            assert_same(_same_ids(left), _same_ids(right))  # the private slot too: the same GatewayMeta, if any
        completions = [client.chat.completions.create(**request) for client in (wired, shim)]
        assert_same(_same_ids(completions[0]), _same_ids(completions[1]))


def _same_ids(model: Any) -> Any:
    """Two calls get different ids and timestamps from the gateway; everything else must match."""
    same = model.model_copy()
    values = {**same.__dict__, "id": "chatcmpl-x", "created": 0}
    if "_request_id" in values:
        values["_request_id"] = "req-x"
    object.__setattr__(same, "__dict__", values)
    private = same.__pydantic_private__
    if private:
        meta = private["_omnigate_meta"].replace(request_id=None, latency_ms=None, budgets=(), rate_limit=None)
        object.__setattr__(same, "__pydantic_private__", {**private, "_omnigate_meta": meta})
    return same


def test_strict_response_validation_keeps_the_sdks_errors(local_gateway: LocalGateway) -> None:
    options: dict[str, Any] = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key, "max_retries": 0}
    with _WiredOpenAI(**options, _strict_response_validation=True) as wired:
        response = wired.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
        assert type(response) is ChatCompletion
