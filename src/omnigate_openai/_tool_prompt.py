"""What the model reads when the gateway cannot carry tools or a response format: the prompt contract.

A gateway that drops `tools`, `tool_choice` and `response_format` and refuses `tool` messages still
carries text. So the request is restated as text: the tools, the tool choice and the answer format
become a system section, and a conversation's tool calls and results become ordinary assistant and
user messages in the same envelope the model is asked to answer with. The exact wording is a
contract with the model (and with the local gateway's model, which implements it from the README,
not from this module): change it here and in the README together.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ._exceptions import UnsupportedFeatureError

__all__ = [
    "CALLS_KEY",
    "RESULTS_KEY",
    "AnswerFormat",
    "Tool",
    "ToolChoice",
    "answer_format",
    "instructions",
    "tool_choice",
    "tools_of",
    "with_instructions",
    "written_history",
]

CALLS_KEY = "tool_calls"
"""The one key of the envelope the model answers with to call tools."""
RESULTS_KEY = "tool_results"
"""The one key of the user message that carries tool results back to the model."""

ChoiceMode = Literal["auto", "none", "required", "function"]


@dataclasses.dataclass(frozen=True)
class Tool:
    """A function the model may call, as the request offered it."""

    name: str
    description: str
    parameters: Mapping[str, Any] | None
    schema_text: str
    """`parameters` as the prompt shows it (also the key under which its validator is cached)."""


@dataclasses.dataclass(frozen=True)
class ToolChoice:
    """`tool_choice` / `function_call` and `parallel_tool_calls`, as an instruction."""

    mode: ChoiceMode = "auto"
    name: str | None = None
    """The one function a `function` choice names."""
    parallel: bool = True
    allowed: tuple[str, ...] | None = None
    """`allowed_tools`: the only offered functions the model may call (and is shown); None: every one."""

    def offered(self, tools: tuple[Tool, ...]) -> tuple[Tool, ...]:
        """The tools the model is shown: those `allowed_tools` names, else all. A tool it is not shown
        is one it cannot call, and a call to it is refused like a call to a tool never offered."""
        allowed = self.allowed
        return tools if allowed is None else tuple(tool for tool in tools if tool.name in allowed)


@dataclasses.dataclass(frozen=True)
class AnswerFormat:
    """`response_format`: any JSON object, or one valid against `schema`."""

    schema: Mapping[str, Any] | None
    schema_text: str | None
    name: str | None = None


def tools_of(body: Mapping[str, Any], *, texts: Mapping[str, str] | None = None) -> tuple[tuple[Tool, ...], bool]:
    """(the offered functions, whether they came as the legacy `functions`); refuses tools that aren't functions.

    `texts` may hold `json.dumps` of the offered list, by field (`_emulated_chat.py` has it already):
    the tools are then read once per distinct text and kept (`_tools_of_text`), so a caller who
    changes a tool between two calls changes the text, and never gets the old prompt.
    """
    legacy = not body.get("tools") and bool(body.get("functions"))
    items = body.get("functions") or () if legacy else body.get("tools") or ()
    text = None if texts is None else texts.get("functions" if legacy else "tools")
    if text is not None:
        try:
            return _tools_of_text(text, legacy), legacy
        except UnsupportedFeatureError:
            pass  # refused below, in the caller's own values (its message quotes them)
    return _read_tools(items, legacy), legacy


@functools.lru_cache(maxsize=128)
def _tools_of_text(text: str, legacy: bool) -> tuple[Tool, ...]:
    """The tools of one JSON text, read from its own decoded copy: nothing a caller holds can change them later."""
    return _read_tools(json.loads(text), legacy)


def _read_tools(items: Any, legacy: bool) -> tuple[Tool, ...]:
    found = []
    for index, item in enumerate(items):
        field = f"functions[{index}]" if legacy else f"tools[{index}]"
        spec = item if legacy else _function_of(item, field)
        name = spec.get("name") if isinstance(spec, Mapping) else None
        if not isinstance(name, str) or not name:
            raise UnsupportedFeatureError(f"`{field}` has no function name: {item!r}", field=field)
        parameters = spec.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise UnsupportedFeatureError(f"`{field}` parameters must be a JSON Schema object", field=field)
        text = "{}" if parameters is None else json.dumps(parameters, ensure_ascii=False)
        found.append(Tool(name, str(spec.get("description") or ""), parameters, text))
    return tuple(found)


def _function_of(item: object, field: str) -> Mapping[str, Any]:
    kind = item.get("type") if isinstance(item, Mapping) else None
    if kind != "function" or not isinstance(item, Mapping) or not isinstance(item.get("function"), Mapping):
        raise UnsupportedFeatureError(
            f"Only function tools can be emulated through this gateway; `{field}` has type {kind!r}", field=field
        )
    function: Mapping[str, Any] = item["function"]
    return function


def tool_choice(body: Mapping[str, Any], tools: Sequence[Tool]) -> ToolChoice:
    """The caller's `tool_choice` (or legacy `function_call`) and `parallel_tool_calls`, checked against `tools`."""
    field = "function_call" if body.get("function_call") is not None else "tool_choice"
    raw = body.get(field)
    legacy = not body.get("tools") and bool(body.get("functions"))  # its message holds one `function_call`
    parallel = body.get("parallel_tool_calls") is not False and not legacy
    if raw is None or raw == "auto":
        return ToolChoice("auto", parallel=parallel)
    if raw in ("none", "required"):
        return ToolChoice(raw, parallel=parallel)
    if isinstance(raw, Mapping) and raw.get("type") == "allowed_tools" and field == "tool_choice":
        mode, allowed = _allowed_tools(raw.get("allowed_tools"), tools)
        return ToolChoice(mode, parallel=parallel, allowed=allowed)
    name = None
    if isinstance(raw, Mapping):
        function = raw.get("function") if field == "tool_choice" else raw
        name = function.get("name") if isinstance(function, Mapping) else None
    if not isinstance(name, str) or name not in {tool.name for tool in tools}:
        raise UnsupportedFeatureError(
            f"`{field}` must be 'auto', 'none', 'required' or name one of the offered functions; got {raw!r}",
            field=field,
        )
    return ToolChoice("function", name, parallel=parallel)


def _allowed_tools(spec: object, tools: Sequence[Tool]) -> tuple[Literal["auto", "required"], tuple[str, ...]]:
    """`tool_choice={"type": "allowed_tools", "allowed_tools": {"mode": ..., "tools": [...]}}`, checked:
    its mode, and the names of the offered functions it allows."""
    mode = spec.get("mode") if isinstance(spec, Mapping) else None
    listed = spec.get("tools") if isinstance(spec, Mapping) else None
    if mode not in ("auto", "required") or not isinstance(listed, list) or not listed:
        raise UnsupportedFeatureError(
            "`tool_choice.allowed_tools` must have a `mode` of 'auto' or 'required' and a non-empty list of "
            f"`tools`; got {spec!r}",
            field="tool_choice",
        )
    offered = {tool.name for tool in tools}
    names = []
    for index, item in enumerate(listed):
        function = item.get("function") if isinstance(item, Mapping) and item.get("type") == "function" else None
        name = function.get("name") if isinstance(function, Mapping) else None
        if name not in offered:
            raise UnsupportedFeatureError(
                f"`tool_choice.allowed_tools.tools[{index}]` must name one of the offered functions; got {item!r}",
                field="tool_choice",
            )
        names.append(name)
    return mode, tuple(names)


def answer_format(body: Mapping[str, Any]) -> AnswerFormat | None:
    """The caller's `response_format`, or None for plain text."""
    raw = body.get("response_format")
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    if raw is None or kind == "text":
        return None
    if kind == "json_object":
        return AnswerFormat(None, None)
    spec = raw.get("json_schema") if isinstance(raw, Mapping) else None
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    if kind != "json_schema" or not isinstance(schema, Mapping):
        raise UnsupportedFeatureError(
            f"`response_format` must be text, json_object, or json_schema with a `schema`; got {raw!r}",
            field="response_format",
        )
    assert isinstance(spec, Mapping)
    return AnswerFormat(schema, json.dumps(schema, ensure_ascii=False), spec.get("name"))


_CHOICES: dict[ChoiceMode, str] = {
    "auto": "Tool choice: auto. Call tools when they help; otherwise answer in plain text.",
    "none": "Tool choice: none. Do not call any tool now: answer in plain text.",
    "required": "Tool choice: required. You must call at least one tool now: answer with the JSON object only.",
    "function": "Tool choice: function {name}. You must call {name} now, and no other tool: "
    "answer with the JSON object only.",
}


def instructions(tools: Sequence[Tool], choice: ToolChoice, answer: AnswerFormat | None) -> str:
    """The system section that restates the tools, the tool choice and the answer format."""
    lines: list[str] = []
    if tools:
        lines += ["# Tools", "Each tool has a name, a description and the JSON Schema of its arguments.", ""]
        for tool in tools:
            lines += [f"## {tool.name}", *([tool.description] if tool.description else [])]
            lines += [f"Arguments JSON Schema: {tool.schema_text}", ""]
        lines += [
            "# Calling tools",
            "To call tools, answer with exactly one JSON object and nothing else:",
            '{"tool_calls": [{"name": "<tool name>", "arguments": {<arguments valid against its schema>}}]}',
            "Put several calls in the list to make them at once. Tool results come back in a user message "
            'holding {"tool_results": [{"id": "<call id>", "name": "<tool name>", "content": "<result>"}]}.',
            _CHOICES[choice.mode].format(name=choice.name),
            "Parallel calls: " + ("yes." if choice.parallel else "no. Call at most one tool per answer."),
        ]
    if answer is not None:
        if lines:
            lines.append("")
        lines.append("# Answer format")
        if answer.schema_text is None:
            lines.append("Your final answer must be one JSON object and nothing else.")
        else:
            lines += [
                "Your final answer must be one JSON object and nothing else, valid against this JSON Schema:",
                answer.schema_text,
            ]
    return "\n".join(lines)


def with_instructions(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """`messages` with `text` appended to the leading system message, or in a new one before the rest."""
    if not text:
        return messages
    first = messages[0] if messages else None
    if first is not None and first.get("role") in ("system", "developer") and isinstance(first.get("content"), str):
        return [{**first, "content": f"{first['content']}\n\n{text}"}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def written_history(messages: Sequence[Any]) -> list[dict[str, Any]]:
    """Assistant tool calls and `tool` / `function` results rewritten as messages every gateway accepts.

    A call keeps its id, name and arguments (as the envelope the model answers with); consecutive
    results become one user message holding them in order, each with its call's id and name.
    """
    written: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, Mapping) else None
        if role in ("tool", "function"):
            assert isinstance(message, Mapping)
            results.append(_result(index, message, names))
            continue
        if results:
            written.append(_results_message(results))
            results = []
        if role == "assistant" and (message.get("tool_calls") or message.get("function_call")):
            written.append(_calls_message(message, names))
        else:
            written.append(message)
    if results:
        written.append(_results_message(results))
    return written


def _calls_message(message: Mapping[str, Any], names: dict[str, str]) -> dict[str, Any]:
    calls = []
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {}
        name = str(function.get("name", ""))
        names[str(call.get("id", ""))] = name
        calls.append({"id": call.get("id"), "name": name, "arguments": _arguments(function.get("arguments"))})
    legacy = message.get("function_call")
    if isinstance(legacy, Mapping):
        calls.append({"name": legacy.get("name"), "arguments": _arguments(legacy.get("arguments"))})
    envelope = json.dumps({CALLS_KEY: calls}, ensure_ascii=False)
    text = _text(message.get("content"))
    kept = {key: value for key, value in message.items() if key not in ("tool_calls", "function_call", "content")}
    return {**kept, "role": "assistant", "content": f"{text}\n{envelope}" if text else envelope}


def _result(index: int, message: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A result with its call's id and name; one that answers no earlier call is a `ValueError`, as OpenAI's 400
    (the model would read the result of a nameless tool)."""
    if message.get("role") == "function":
        return {"name": message.get("name"), "content": _text(message.get("content"))}
    call_id = message.get("tool_call_id")
    if call_id is None:
        raise ValueError(f"`messages[{index}].tool_call_id` is missing: a `tool` message answers one tool call")
    name = names.get(str(call_id))
    if name is None:
        made = ", ".join(names) or "none"
        raise ValueError(
            f"`messages[{index}]` answers the tool call {call_id!r}, which no earlier assistant message made "
            f"(calls: {made})"
        )
    return {"id": call_id, "name": name, "content": _text(message.get("content"))}


def _results_message(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"role": "user", "content": json.dumps({RESULTS_KEY: results}, ensure_ascii=False)}


def _arguments(raw: object) -> object:
    """A call's arguments as the JSON value they encode (the SDK sends a string); kept as given if not JSON."""
    if not isinstance(raw, str):
        return raw if raw is not None else {}
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _text(content: object) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", "")) for part in content if isinstance(part, Mapping) and part.get("type") == "text"
        )
    return str(content)
