"""The local gateway's model: scripted replies, else a schema-aware default that follows the prompt contract.

A client that emulates tools (README, "Tools and structured output") restates them in a system
message and expects an envelope back. This model reads that prompt as the README documents it,
written from the README and not from the client's code, so that a format bug cannot hide on both
sides. Without a script it behaves much like pydantic-ai's `TestModel`: it calls each offered tool once,
with arguments made from its schema (or the gateway's `reply=`, when that is a JSON object valid
against it), then answers with what they returned; asked for JSON, it answers
with an instance of the schema. A request that mentions none of this gets the gateway's plain reply.

    gw.model.script(ToolCall("get_weather", {"city": "Paris"}), "It is sunny in Paris.")
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema

__all__ = ["Model", "ModelRequest", "Reply", "ToolCall", "ToolResult", "ToolSpec", "instance_of"]


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the prompt describes it."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class ToolResult:
    """A tool's result as the conversation carries it back."""

    id: str | None
    name: str
    content: str


@dataclass(frozen=True)
class ToolCall:
    """A scripted tool call: the model answers with the envelope naming it (a list of them: one envelope)."""

    name: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelRequest:
    """What the model was asked, read from the messages the provider received."""

    model: str
    messages: tuple[tuple[str, str], ...]
    tools: tuple[ToolSpec, ...] = ()
    tool_choice: str = "auto"
    """`auto`, `none`, `required`, or the name of the one tool to call."""
    parallel: bool = True
    wants_json: bool = False
    answer_schema: Mapping[str, Any] | None = None
    tool_results: tuple[ToolResult, ...] = ()
    """The results that came back since the last message of the user."""
    called: frozenset[str] = frozenset()
    """The tools the model called since the last message of the user."""

    @property
    def last_user(self) -> str:
        return next((content for role, content in reversed(self.messages) if role == "user"), "")


Reply = str | ToolCall | Sequence[ToolCall] | Mapping[str, Any] | Callable[[ModelRequest], Any]
"""Text as it is; tool call(s) as an envelope; a mapping as a JSON object; a callable returns one of these."""


class Model:
    """Scripted replies first (in order), then `fallback`, then the schema-aware default.

    `gw.model.script(...)` queues replies; `gw.model.requests` lists what the model was asked.
    """

    def __init__(self, replies: Iterable[Reply] = (), *, fallback: Callable[[ModelRequest], Any] | None = None) -> None:
        self._queue: deque[Reply] = deque(replies)
        self._fallback = fallback
        self._lock = threading.Lock()
        self.requests: list[ModelRequest] = []

    def script(self, *replies: Reply) -> None:
        """Queue replies: each request takes the next one."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()

    @property
    def pending(self) -> int:
        """How many scripted replies are left."""
        return len(self._queue)

    def reply(self, model: str, messages: Sequence[tuple[str, str]], *, plain: str) -> str:
        """The text the provider answers with; `plain` for a request without tools or a format."""
        request = read_request(model, messages)
        with self._lock:
            self.requests.append(request)
            scripted = self._queue.popleft() if self._queue else None
        if scripted is not None:
            return render(scripted, request)
        if self._fallback is not None:
            return render(self._fallback(request), request)
        return default_reply(request, plain=plain)


def render(reply: Any, request: ModelRequest) -> str:
    """A scripted reply as the text the model sends."""
    if callable(reply) and not isinstance(reply, (ToolCall, Mapping)):
        return render(reply(request), request)
    if isinstance(reply, str):
        return reply
    if isinstance(reply, ToolCall):
        reply = [reply]
    if isinstance(reply, Mapping):
        return json.dumps(reply)
    if isinstance(reply, Sequence) and all(isinstance(item, ToolCall) for item in reply):
        calls = [{"name": call.name, "arguments": dict(call.arguments)} for call in reply]
        return json.dumps({"tool_calls": calls})
    raise TypeError(f"A scripted reply is text, a ToolCall, a list of them, a dict or a callable; got {reply!r}")


def default_reply(request: ModelRequest, *, plain: str) -> str:
    """Call each offered tool once, one per answer, then answer with their results.

    A tool is called with arguments made from its schema (strings carry the results so far); once
    every tool was called, the answer is text, or an instance of the answer schema, that quotes the
    results, or, when a tool must be called, a last call of the chosen (or first) tool.
    """
    results = request.tool_results
    said = "; ".join(f"{result.name}: {result.content}" for result in results)
    if request.tools and request.tool_choice != "none":
        offered = [tool for tool in request.tools if request.tool_choice in ("auto", "required", tool.name)]
        fresh = [tool for tool in offered if tool.name not in request.called]
        if fresh or (request.tool_choice != "auto" and offered):
            tool = (fresh or offered)[0]
            arguments = _fitting(plain, tool.parameters) or instance_of(tool.parameters, text=said or None)
            return json.dumps({"tool_calls": [{"name": tool.name, "arguments": arguments}]})
    if request.answer_schema is not None:
        fitting = _fitting(plain, request.answer_schema)
        return plain if fitting else json.dumps(instance_of(request.answer_schema, text=said or None))
    if request.wants_json:  # any JSON object: the gateway's reply if it is one
        return (
            plain
            if not said and isinstance(_json_object(plain.strip()), dict)
            else json.dumps({"answer": said or plain})
        )
    if results:
        return f"Tool results: {said}"
    return plain


def _fitting(plain: str, schema: Mapping[str, Any]) -> dict[str, Any] | None:
    """The gateway's `reply` as a JSON object, if it is one valid against `schema` (so `reply=` can script it)."""
    value = _json_object(plain.strip()) if plain.lstrip().startswith("{") else None
    if not isinstance(value, dict) or not schema.get("properties"):
        return None
    return value if jsonschema.validators.validator_for(schema)(schema).is_valid(value) else None


# -- reading the prompt, as the README documents it --------------------------------------------------------

_CHOICE = re.compile(r"^Tool choice: (?:function (?P<name>[\w-]+)|(?P<mode>auto|none|required))\.")
_SCHEMA_LINE = "Arguments JSON Schema: "


def read_request(model: str, messages: Sequence[tuple[str, str]]) -> ModelRequest:
    """The tools, choice, answer format and tool results a conversation carries."""
    system = "\n".join(content for role, content in messages if role == "system")
    tools, choice, parallel = _tools(system)
    wants_json, schema = _answer_format(system)
    return ModelRequest(
        model=model,
        messages=tuple(messages),
        tools=tools,
        tool_choice=choice,
        parallel=parallel,
        wants_json=wants_json,
        answer_schema=schema,
        tool_results=_recent_results(messages),
        called=_recent_calls(messages),
    )


def _tools(system: str) -> tuple[tuple[ToolSpec, ...], str, bool]:
    tools: list[ToolSpec] = []
    choice, parallel = "auto", True
    lines = system.split("\n")
    in_tools = False
    name: str | None = None
    description: list[str] = []
    for line in lines:
        if line.startswith("# "):
            in_tools = line == "# Tools"
            continue
        if in_tools and line.startswith("## "):
            name, description = line[3:].strip(), []
            continue
        if in_tools and name is not None and line.startswith(_SCHEMA_LINE):
            tools.append(ToolSpec(name, "\n".join(description), json.loads(line[len(_SCHEMA_LINE) :])))
            name = None
            continue
        if in_tools and name is not None:
            description.append(line)
        matched = _CHOICE.match(line)
        if matched:
            choice = matched["name"] or matched["mode"]
        if line.startswith("Parallel calls: "):
            parallel = line[len("Parallel calls: ") :].startswith("yes")
    return tuple(tools), choice, parallel


def _answer_format(system: str) -> tuple[bool, Mapping[str, Any] | None]:
    lines = system.split("\n")
    if "# Answer format" not in lines:
        return False, None
    rest = lines[lines.index("# Answer format") + 1 :]
    for index, line in enumerate(rest):
        if line.endswith("valid against this JSON Schema:") and index + 1 < len(rest):
            return True, json.loads(rest[index + 1])
    return True, None


def _recent_calls(messages: Sequence[tuple[str, str]]) -> frozenset[str]:
    names: set[str] = set()
    for role, content in reversed(messages):
        if role == "user" and not _results_of(content):
            break
        if role == "assistant" and '"tool_calls"' in content:
            envelope = _json_object(content[content.find("{") :])
            calls = envelope.get("tool_calls") if isinstance(envelope, dict) else None
            names.update(str(call.get("name")) for call in calls or () if isinstance(call, dict))
    return frozenset(names)


def _json_object(text: str) -> Any:
    try:
        return json.JSONDecoder().raw_decode(text)[0]
    except ValueError:
        return None


def _results_of(content: str) -> list[Any] | None:
    value = _json_object(content) if content.startswith("{") else None
    results = value.get("tool_results") if isinstance(value, dict) else None
    return results if isinstance(results, list) else None


def _recent_results(messages: Sequence[tuple[str, str]]) -> tuple[ToolResult, ...]:
    found: list[ToolResult] = []
    for role, content in reversed(messages):
        if role == "assistant":
            continue
        results = _results_of(content) if role == "user" else None
        if results is None:
            break
        batch = [
            ToolResult(item.get("id"), str(item.get("name", "")), str(item.get("content", "")))
            for item in results
            if isinstance(item, dict)
        ]
        found[:0] = batch
    return tuple(found)


# -- values valid against a JSON Schema ----------------------------------------------------------------------


def instance_of(schema: Mapping[str, Any], *, text: str | None = None) -> Any:
    """A value valid against `schema` (objects get every property; strings are `text` where they can be)."""
    return _Instance(schema, text).of(schema)


_FORMATS = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "email": "user@example.com",
    "uri": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


class _Instance:
    def __init__(self, root: Mapping[str, Any], text: str | None) -> None:
        self._root = root
        self._text = text
        self._depth = 0

    def of(self, schema: Any) -> Any:
        if not isinstance(schema, Mapping):
            return None
        self._depth += 1
        try:
            return self._of(schema)
        finally:
            self._depth -= 1

    def _of(self, schema: Mapping[str, Any]) -> Any:
        if "$ref" in schema:
            return self.of(self._resolve(schema["$ref"]))
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                options = [option for option in schema[key] if option.get("type") != "null"] or schema[key]
                return self.of(options[0])
        if schema.get("allOf"):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part["$ref"]) if "$ref" in part else part)
            return self.of(merged)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((item for item in kind if item != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "string"
        return getattr(self, f"_{kind}", self._null)(schema)

    def _object(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        if self._depth > 8:  # a recursive schema: only what is required
            required = set(schema.get("required") or ())
            properties = {name: value for name, value in properties.items() if name in required}
        return {name: self.of(value) for name, value in properties.items()}

    def _array(self, schema: Mapping[str, Any]) -> list[Any]:
        count = max(1, int(schema.get("minItems", 1))) if self._depth <= 8 else int(schema.get("minItems", 0))
        return [self.of(schema.get("items") or {}) for _ in range(count)]

    def _string(self, schema: Mapping[str, Any]) -> str:
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        value = self._text if self._text is not None and "pattern" not in schema else "a"
        minimum, maximum = int(schema.get("minLength", 0)), schema.get("maxLength")
        value = value.ljust(minimum, "a")
        return value if maximum is None else value[: int(maximum)]

    def _integer(self, schema: Mapping[str, Any]) -> int:
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1)
        return int(low) if int(low) == low else int(low) + 1

    def _number(self, schema: Mapping[str, Any]) -> float:
        return float(self._integer(schema))

    def _boolean(self, _schema: Mapping[str, Any]) -> bool:
        return True

    def _null(self, _schema: Mapping[str, Any]) -> None:
        return None

    def _resolve(self, ref: str) -> Any:
        node: Any = self._root
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part) if isinstance(node, Mapping) else None
        return node
