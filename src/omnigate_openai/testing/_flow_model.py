"""The local Flow gateway's offline model: a pure function of the request, so tests assert exact answers.

Flow routes through LiteLLM, so tools and `response_format` are native there. The model honours them
in the simplest deterministic way: offered tools and no tool result yet -> it calls the first tool
(or the one `tool_choice` names) with arguments valid against its schema, or for a custom tool
(free-form input) with the last message's text as its input; a `json_schema` format ->
an instance of the schema (after a tool result too: an agent's final, structured answer);
`json_object` -> a small JSON object; otherwise the fixed reply. Written from OpenAI's documented
shapes, independently of the client's code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

REPLY = "Hello there! How can I help?"
"""What the model says to a plain prompt, in one delta per word on a stream."""

EMBEDDING_DIMENSIONS = 8
"""The length of a vector when the request does not ask for `dimensions`."""

_WORD = re.compile(r"\s*\S+")


def completion(body: Mapping[str, Any], *, model: str) -> dict[str, Any]:
    """The `chat.completion` object for a request (already validated: `messages` is a list)."""
    message, finish = _answer(body)
    return {
        "id": _completion_id(body),
        "object": "chat.completion",
        "created": _CREATED,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": _usage(body, message),
    }


def chunks(body: Mapping[str, Any], *, model: str) -> Iterator[dict[str, Any]]:
    """The `chat.completion.chunk` objects of the same answer: role, content per word or one tool call, end."""
    message, finish = _answer(body)
    base = {"id": _completion_id(body), "object": "chat.completion.chunk", "created": _CREATED, "model": model}

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}]}

    yield chunk({"role": "assistant", "content": ""})
    for index, call in enumerate(message.get("tool_calls") or ()):
        if call["type"] == "custom":  # as OpenAI streams one: name first, then the input in pieces
            custom = call["custom"]
            yield chunk({"tool_calls": [{"index": index, **call, "custom": {"name": custom["name"], "input": ""}}]})
            for word in _WORD.findall(custom["input"]):
                yield chunk({"tool_calls": [{"index": index, "custom": {"input": word}}]})
        else:
            yield chunk({"tool_calls": [{"index": index, **call}]})
    for word in _WORD.findall(message.get("content") or ""):
        yield chunk({"content": word})
    yield chunk({}, finish)
    options = body.get("stream_options")
    if isinstance(options, Mapping) and options.get("include_usage"):
        yield {**base, "choices": [], "usage": _usage(body, message)}


def embeddings(body: Mapping[str, Any], *, model: str) -> dict[str, Any]:
    """One deterministic unit-ish vector per input text, as floats or base64 (the SDK asks for base64)."""
    raw = body.get("input")
    texts = [raw] if isinstance(raw, str) else [str(item) for item in raw or ()]
    dimensions = body.get("dimensions") or EMBEDDING_DIMENSIONS
    as_base64 = body.get("encoding_format") == "base64"
    data = []
    for index, text in enumerate(texts):
        vector = vector_for(text, dimensions=int(dimensions))
        encoded: object = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if as_base64 else vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    tokens = sum(len(text.split()) for text in texts)
    return {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


def vector_for(text: str, *, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """The vector of one text: bytes of its SHA-256 scaled into [-1, 1], exact in float32."""
    digest = hashlib.sha256(text.encode()).digest()
    while len(digest) < dimensions:
        digest += hashlib.sha256(digest).digest()
    return [(byte - 128) / 128 for byte in digest[:dimensions]]


def instance(schema: object) -> object:
    """A small value valid against a JSON schema (objects fill every property; enums take the first value)."""
    if not isinstance(schema, Mapping):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    for combined in ("anyOf", "oneOf"):
        if schema.get(combined):
            return instance(schema[combined][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((item for item in kind if item != "null"), "null")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties") or {}
        return {name: instance(sub) for name, sub in properties.items()}
    if kind == "array":
        return [instance(schema.get("items") or {"type": "string"})]
    return {"string": "example", "integer": 1, "number": 1.5, "boolean": True, "null": None}.get(str(kind), "example")


_CREATED = 1_700_000_000


def _answer(body: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    messages: Sequence[Mapping[str, Any]] = body.get("messages") or ()
    last = messages[-1] if messages else {}
    tool = _tool_to_call(body, last)
    if tool is not None:
        call: dict[str, Any] = {"id": f"call_{_digest(body)[:24]}", "type": tool["type"]}
        if tool["type"] == "custom":
            call["custom"] = {"name": tool["custom"]["name"], "input": _text(last.get("content"))}
        else:
            arguments = json.dumps(instance(tool["function"].get("parameters") or {"type": "object"}))
            call["function"] = {"name": tool["function"]["name"], "arguments": arguments}
        return {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    if last.get("role") == "tool" and not _wants_schema(body.get("response_format")):
        return {"role": "assistant", "content": f"The tool said: {_text(last.get('content'))}"}, "stop"
    return {"role": "assistant", "content": _formatted_reply(body.get("response_format"))}, "stop"


def _tool_to_call(body: Mapping[str, Any], last: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tools = [
        tool
        for tool in body.get("tools") or ()
        if isinstance(tool, Mapping) and tool.get("type") in _CALLABLE and isinstance(tool.get(tool["type"]), Mapping)
    ]
    choice = body.get("tool_choice")
    if not tools or choice == "none" or last.get("role") == "tool":
        return None
    if isinstance(choice, Mapping):
        wanted = (choice.get(choice.get("type")) or {}).get("name")
        return next((tool for tool in tools if tool[tool["type"]].get("name") == wanted), tools[0])
    return tools[0]


_CALLABLE = ("function", "custom")
"""The tool types the model calls: a function with JSON arguments, a custom tool with free-form input."""


def _wants_schema(response_format: object) -> bool:
    """A `json_schema` format binds the answer that follows a tool result too, as an agent's final answer."""
    return isinstance(response_format, Mapping) and response_format.get("type") == "json_schema"


def _formatted_reply(response_format: object) -> str:
    if isinstance(response_format, Mapping):
        if response_format.get("type") == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
            return json.dumps(instance(schema))
        if response_format.get("type") == "json_object":
            return json.dumps({"reply": REPLY})
    return REPLY


def _usage(body: Mapping[str, Any], message: Mapping[str, Any]) -> dict[str, int]:
    """3 tokens per message plus its words; the answer's words (or its tool call's argument or input text)."""
    messages = body.get("messages") or ()
    prompt = sum(3 + len(_text(item.get("content")).split()) for item in messages if isinstance(item, Mapping))
    calls = message.get("tool_calls") or ()
    answer = message.get("content") or " ".join(
        call["custom"]["input"] if call["type"] == "custom" else call["function"]["arguments"] for call in calls
    )
    completion_tokens = len(answer.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens, "total_tokens": prompt + completion_tokens}


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: the text ones
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return ""


def _completion_id(body: Mapping[str, Any]) -> str:
    return f"chatcmpl-{_digest(body)[:24]}"


def _digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


__all__ = ["EMBEDDING_DIMENSIONS", "REPLY", "chunks", "completion", "embeddings", "instance", "vector_for"]
