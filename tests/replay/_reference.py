"""The reference cassettes of a real OmniGate 0.2.0, as steps to replay and outcomes to hold the shim to.

`index.json` states each interaction under test's outcome (status, message, envelope, fields); the
shim's side of the contract (which error class, which attributes) is written out here, apart from
`_classify.py`, so that the two are checked against each other rather than against themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import openai

import omnigate_openai as og
from _reference_cassettes import REFERENCE_DIR
from _reference_cassettes import interactions as reference_interactions
from omnigate_openai._sdk import httpx

ROOT_URL = "http://127.0.0.1:58000"
"""Where the cassettes were recorded. Hosts are never matched; nothing listens there."""
REPLAY_KEY = "llmg_<redacted-1>"

StepKind = Literal["compat", "native-stream", "plain"]

REFUSED: dict[str, str] = {
    # cassette: the field the shim names in UnsupportedFeatureError, before anything is sent
    "compat_tools_ignored": "tools",
    "compat_n2_400": "n",
    "compat_tool_role_400": "messages[1].tool_calls",
}
REWRITTEN: dict[str, tuple[str, object]] = {
    # cassette: (what the shim sends instead, as a JSON path, and its value): lossless rewrites
    "compat_text_parts_list_400": ("messages.0.content", "hi"),
    "compat_anthropic_prefixed_model_400": ("model", "claude-3-5-sonnet-latest"),
}
"""The recorded body is not what the shim sends, so its high-level call can't match the recording: the
recorded interaction is replayed with a low-level call, and the high-level call is checked on its own."""


@dataclass(frozen=True)
class Step:
    """One recorded interaction, and what the index says about it if it is under test."""

    index: int
    method: str
    uri: str
    body: Any
    """Parsed JSON, the raw text if it isn't JSON (malformed-body cassettes), or None."""
    is_json: bool
    kind: StepKind
    recorded_status: int
    outcome: dict[str, Any] | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.uri).path


@dataclass(frozen=True)
class Reference:
    name: str
    steps: tuple[Step, ...]

    @property
    def path(self) -> Path:
        return REFERENCE_DIR / f"{self.name}.yaml"

    @property
    def under_test(self) -> list[Step]:
        return [step for step in self.steps if step.outcome is not None]


def load_references() -> list[Reference]:
    index = json.loads((REFERENCE_DIR / "index.json").read_text())
    return [_reference(entry) for entry in index["cassettes"]]


def _reference(entry: dict[str, Any]) -> Reference:
    interactions = reference_interactions(Path(entry["file"]).stem)
    outcomes = {item["interaction"]: item["outcome"] for item in entry["under_test"]}
    steps = []
    for index, interaction in enumerate(interactions):
        request = interaction["request"]
        raw = request["body"]
        try:
            body, is_json = (json.loads(raw), True) if raw else (None, False)
        except ValueError:
            body, is_json = raw, False
        path = urlsplit(request["uri"]).path
        if path == "/v1/chat/completions" and request["method"] == "POST" and isinstance(body, dict):
            kind: StepKind = "compat"
        elif path == "/v1/chat" and isinstance(body, dict) and body.get("stream"):
            kind = "native-stream"
        else:
            kind = "plain"
        steps.append(
            Step(
                index=index,
                method=request["method"],
                uri=request["uri"],
                body=body,
                is_json=is_json,
                kind=kind,
                recorded_status=interaction["response"]["status"]["code"],
                outcome=outcomes.get(index),
            )
        )
    return Reference(entry["name"], tuple(steps))


def uses_high_level_call(reference: Reference, step: Step) -> bool:
    """`chat.completions.create(**recorded_body)` where the shim sends the recorded body unchanged."""
    return step.kind == "compat" and reference.name not in REFUSED and reference.name not in REWRITTEN


# -- what came back ------------------------------------------------------------------------------


@dataclass
class Result:
    """What one replayed interaction gave the caller."""

    response: httpx.Response | None = None
    completion: Any = None
    chunks: list[Any] = field(default_factory=list)
    text: str | None = None
    error: BaseException | None = None

    @property
    def status(self) -> int:
        if isinstance(self.error, openai.APIStatusError):
            return self.error.status_code
        if self.error is not None:
            raise AssertionError(f"Expected an answer, got {self.error!r}") from self.error
        return self.response.status_code if self.response is not None else 200


# -- what the shim must make of it ---------------------------------------------------------------

_UPSTREAM = re.compile(r"^(?P<provider>OpenAI|Anthropic|Gemini|Azure OpenAI) error (?P<status>\d{3}):")
_PROVIDERS = {"OpenAI": "openai", "Anthropic": "anthropic", "Gemini": "gemini", "Azure OpenAI": "azure"}
_BUDGET = re.compile(r"^(?P<scope>Project|Organisation) (?P<period>daily|monthly) budget exceeded")
_GATEWAY_CLASSES: tuple[type[og.APIError], ...] = (
    og.AuthError,
    og.BudgetExceededError,
    og.RateLimitError,
    og.ProviderError,
    og.ModelNotFoundError,
)


@dataclass(frozen=True)
class Expected:
    """The error the shim must raise: its gateway class, the `openai` class it is too, and its fields."""

    cls: type[og.APIError]
    also: type[openai.APIStatusError]
    fields: dict[str, object] = field(default_factory=dict)
    also_gateway: tuple[type[og.APIError], ...] = ()


def openai_class(status: int) -> type[openai.APIStatusError]:
    if status >= 500:
        return openai.InternalServerError
    return {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        422: openai.UnprocessableEntityError,
        429: openai.RateLimitError,
    }.get(status, openai.APIStatusError)


def expected_error(status: int, message: str, *, retry_after: str | None = None) -> Expected:
    """The classification contract, rule by rule, in the order that keeps a provider's 401 a ProviderError."""
    upstream = _UPSTREAM.match(message)
    if upstream:
        fields: dict[str, object] = {
            "provider": _PROVIDERS[upstream["provider"]],
            "upstream_status": int(upstream["status"]),
            "circuit_open": False,
        }
        if status == 429:
            fields |= {"source": "provider", "retry_after": None}
            return Expected(og.ProviderError, openai.RateLimitError, fields, also_gateway=(og.RateLimitError,))
        return Expected(og.ProviderError, openai_class(status), fields)
    if circuit := re.match(r"^(?P<provider>\w+) circuit is open", message):
        return Expected(og.ProviderError, openai_class(status), {"provider": circuit["provider"], "circuit_open": True})
    if re.match(r"^No (openai|anthropic|gemini|azure) key configured", message):
        return Expected(og.ProviderError, openai_class(status), {"circuit_open": False})
    if message.startswith("No provider registered for model"):
        return Expected(og.ModelNotFoundError, openai.BadRequestError)
    if re.match(r"^model '.+' not found$", message):
        return Expected(og.ModelNotFoundError, openai.NotFoundError)
    if status in (401, 403):
        return Expected(og.AuthError, openai_class(status))
    if status == 402:
        budget = _BUDGET.match(message)
        assert budget is not None, f"a 402 without a budget message: {message!r}"
        scope = "project" if budget["scope"] == "Project" else "org"
        return Expected(og.BudgetExceededError, openai.APIStatusError, {"scope": scope, "period": budget["period"]})
    if status == 429:
        wait = float(retry_after) if retry_after is not None else None
        return Expected(og.RateLimitError, openai.RateLimitError, {"source": "gateway", "retry_after": wait})
    return Expected(og.APIError, openai_class(status))


def in_band_expected(message: str) -> tuple[int, Expected]:
    """An error frame after HTTP 200: the status comes from the message, 502 when it carries none."""
    upstream = _UPSTREAM.match(message)
    status = int(upstream["status"]) if upstream else 502
    if upstream:
        return status, expected_error(status, message)
    return status, Expected(og.ProviderError, openai.InternalServerError, {"provider": None, "upstream_status": None})


def assert_error(error: BaseException | None, expected: Expected, *, status: int, message: str) -> None:
    """Exact gateway class (by name: the raised class joins it with the openai one), dual type, fields."""
    assert error is not None, f"Expected {expected.cls.__name__} ({status}), got an answer"
    assert type(error).__name__ == expected.cls.__name__, f"{type(error).__name__} != {expected.cls.__name__}: {error}"
    assert isinstance(error, expected.cls), type(error).__mro__
    assert isinstance(error, expected.also), type(error).__mro__
    for other in _GATEWAY_CLASSES:
        if other is not expected.cls and other not in expected.also_gateway and not issubclass(expected.cls, other):
            assert not isinstance(error, other), f"{type(error).__mro__} must not be a {other.__name__}"
    assert isinstance(error, openai.APIStatusError)
    assert error.status_code == status
    assert str(error) == message
    for name, value in expected.fields.items():
        assert getattr(error, name) == value, f"{name}: {getattr(error, name)!r} != {value!r}"


def flattened(detail: object) -> str:
    """How `str(e)` shows a 422's detail list: `loc.path: msg; ...`."""
    if isinstance(detail, str):
        return detail
    assert isinstance(detail, list)
    return "; ".join(f"{'.'.join(str(step) for step in item['loc'])}: {item['msg']}" for item in detail)


def normalised(finish_reason: str) -> str:
    return {
        "end_turn": "stop",
        "stop_sequence": "stop",
        "max_tokens": "length",
        "STOP": "stop",
        "MAX_TOKENS": "length",
    }.get(finish_reason, finish_reason)


def check_outcome(reference: Reference, step: Step, result: Result) -> None:
    """Hold one replayed interaction to what the index states about it."""
    outcome = step.outcome
    if outcome is None:  # setup: it answered as recorded
        assert result.status == step.recorded_status, (reference.name, step.index, result.error)
        return
    status = outcome["status"]
    message = outcome.get("message")
    if status >= 400:
        retry_after = None
        if isinstance(result.error, openai.APIStatusError):
            retry_after = result.error.response.headers.get("retry-after")
        expected = expected_error(status, flattened(message), retry_after=retry_after)
        assert_error(result.error, expected, status=status, message=flattened(message))
        _check_error_envelope(result.error, outcome)
        return
    if message is not None and step.kind == "compat":  # an in-band error frame after HTTP 200
        in_band_status, expected = in_band_expected(message)
        assert_error(result.error, expected, status=in_band_status, message=message)
        assert result.error.response.status_code == 200  # type: ignore[union-attr]
    else:
        assert result.error is None, (reference.name, step.index, result.error)
        assert result.status == status
    _check_fields(step, result, outcome)


def _check_error_envelope(error: BaseException | None, outcome: dict[str, Any]) -> None:
    assert isinstance(error, openai.APIStatusError)
    content_type = outcome.get("content_type")
    if content_type:
        assert error.response.headers.get("content-type", "").startswith(content_type)
    error_object = outcome.get("error_object")
    if error_object is not None:  # the SDK's contract: `e.body` is the inner error object
        assert isinstance(error.body, dict)
        for name, value in error_object.items():
            assert error.body.get(name) == value, (name, error.body)


def _check_fields(step: Step, result: Result, outcome: dict[str, Any]) -> None:
    if step.kind == "compat" and result.completion is not None:
        _check_completion(result.completion, outcome)
    elif step.kind == "compat" and result.response is not None:  # sent low-level: the gateway's raw answer
        choice = result.response.json()["choices"][0]
        assert choice["message"]["content"] == outcome["content"]
        assert choice["finish_reason"] == outcome["finish_reason"]
        assert result.response.json()["model"] == outcome["model"]
    elif step.kind == "compat":
        _check_chunks(result, outcome)
    elif step.kind == "native-stream":
        text = result.text or ""
        expected = outcome["streamed_text"]
        if "message" in outcome:  # the native dialect's in-band sentinel, byte for byte
            expected += "\n[error] " + outcome["message"]
        assert text == expected
    else:
        _check_json(result, outcome)


def _check_completion(completion: Any, outcome: dict[str, Any]) -> None:
    choice = completion.choices[0]
    if "content" in outcome:
        assert choice.message.content == outcome["content"]
    if "model" in outcome:
        assert completion.model == outcome["model"]
    if "finish_reason" in outcome:
        raw = outcome["finish_reason"]
        assert choice.finish_reason == normalised(raw)
        assert og.meta(completion).raw_finish_reason in ({raw, None} if raw == normalised(raw) else {raw})


def _check_chunks(result: Result, outcome: dict[str, Any]) -> None:
    chunks = result.chunks
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == outcome["streamed_text"]
    frames = outcome["sse_frames"]
    assert len(chunks) == frames - 1 - (1 if "message" in outcome else 0)  # [DONE] and the error frame aren't chunks
    if "finish_reason" in outcome:
        raw = outcome["finish_reason"]
        finishing = [chunk for chunk in chunks if chunk.choices and chunk.choices[0].finish_reason]
        assert [chunk.choices[0].finish_reason for chunk in finishing] == [normalised(raw)]
        if raw != normalised(raw):  # chunks carry gateway metadata only where it says something
            assert og.meta(finishing[0]).raw_finish_reason == raw
    if "usage" in outcome:
        assert chunks[-1].choices == []
        assert chunks[-1].usage.model_dump(include=set(outcome["usage"])) == outcome["usage"]


def _check_json(result: Result, outcome: dict[str, Any]) -> None:
    response = result.response
    assert response is not None
    if outcome.get("content_type"):
        assert response.headers.get("content-type", "").startswith(outcome["content_type"])
    if "streamed_text" in outcome:  # a plain-text answer (Prometheus metrics)
        assert response.text == outcome["streamed_text"]
        return
    if response.status_code == 204:
        assert response.content == b""
        return
    body = response.json()
    for name, value in outcome.items():
        if name == "items":
            items = body if isinstance(body, list) else body["data"]
            assert len(items) == value
        elif name == "metrics":
            _assert_contains(body, value)
        elif name == "configured_providers":
            assert body["configured_providers"] == value
        elif name in ("finish_reason", "cached", "fallback_used", "cost_usd", "provider", "model", "content"):
            assert body[name] == value, (name, body)


def _assert_contains(actual: Any, summary: Any, where: str = "body") -> None:
    """The index summarises long bodies: its fields must hold, `<name>_points` counts a list."""
    if isinstance(summary, dict):
        assert isinstance(actual, dict), where
        for name, value in summary.items():
            if name.endswith("_points"):
                assert len(actual[name.removesuffix("_points")]) == value, f"{where}.{name}"
            else:
                _assert_contains(actual[name], value, f"{where}.{name}")
    elif isinstance(summary, list):
        assert isinstance(actual, list), where
        for index, (item, expected) in enumerate(zip(actual, summary, strict=True)):
            _assert_contains(item, expected, f"{where}[{index}]")
    else:
        assert actual == summary, f"{where}: {actual!r} != {summary!r}"
