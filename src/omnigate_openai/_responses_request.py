"""A Responses API request as the chat request that serves it, or the reason it cannot be served.

OmniGate has no `/v1/responses`. `client.responses.create(...)` is answered by the client's own
`chat.completions.create(...)`: `input` items become chat messages, function tools, `text.format` and
`text.verbosity` become chat `tools`, `response_format` and `verbosity` (which the chat layer then
serves or refuses), `reasoning.effort` becomes `reasoning_effort` where the gateway passes it on to the model
(its profile's `why_no_reasoning_effort`), and `previous_response_id` puts the stored conversation in front.
What chat completions cannot carry (built-in tools, background mode, conversation objects, reasoning summaries,
...) is refused here, before anything is sent, with an error naming the field.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pydantic
from openai.types.responses import Response

from ._exceptions import UnknownResponseError, UnsupportedFeatureError
from ._response_store import ResponseStore
from ._verbosity import verbosity_line

if TYPE_CHECKING:
    from ._profile import GatewayProfile

__all__ = ["ChatPlan", "chat_plan", "chat_tool_calls", "refused"]

_SERVED = frozenset(
    {
        "model",
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "text",
        "max_output_tokens",
        "max_tool_calls",
        "temperature",
        "top_p",
        "user",
        "safety_identifier",
        "metadata",
        "previous_response_id",
        "stream",
        "store",
        "verbosity",
        "reasoning",
    }
)
"""The request fields this emulation honours."""

_HARMLESS = frozenset({"stream_options", "prompt_cache_key", "prompt_cache_retention", "prompt_cache_options"})
"""Fields that only tune OpenAI's own delivery or caching; they cannot change an answer, so they are dropped."""

_WHY: dict[str, str] = {
    "background": "the gateway answers while the call is open; it has no background mode",
    "conversation": "the gateway keeps no conversation objects; chain calls with `previous_response_id`",
    "include": "the gateway's chat route cannot produce them",
    "prompt": "the gateway has no stored prompt templates",
    "top_logprobs": "the gateway returns no logprobs",
    "truncation": "the gateway cannot truncate a conversation to fit the context window",
    "service_tier": "the gateway has no service tiers",
    "context_management": "the gateway cannot compact a conversation",
}

_REASONING_WHY = {
    "summary": "the chat route returns no reasoning summary",
    "generate_summary": "the chat route returns no reasoning summary",
}

_BUILT_IN_TOOL = "the gateway runs no built-in tools; only `function` tools can be served"

_FUNCTION_FIELDS = frozenset(
    {"type", "name", "parameters", "strict", "description", "output_schema", "allowed_callers"}
)
"""A function tool's fields the translation honours; any other one set to more than its default is refused."""

_TOOL_WHY: dict[str, str] = {
    "defer_loading": "the gateway has no tool search to load a deferred function from; it would be offered at once",
    "async": "a chat conversation needs each call's output in the very next request, so it cannot come later",
}

_ROLES = frozenset({"user", "system", "developer", "assistant"})
_TEXT_PARTS = frozenset({"input_text", "output_text", "text"})


def refused(field: str, detail: str) -> UnsupportedFeatureError:
    """The error for a Responses feature the gateway cannot serve, naming it (not the gateway: each is served so)."""
    served = "This client serves `responses` over the gateway's chat completions"
    return UnsupportedFeatureError(f"{served}, which cannot honour `{field}`: {detail}.", field=field)


@dataclasses.dataclass(frozen=True)
class ChatPlan:
    """How one Responses call is served: the chat call, and what its `Response` echoes back."""

    chat: dict[str, Any]
    """Keyword arguments for `chat.completions.create` (without `stream` and the request options)."""
    history: tuple[dict[str, Any], ...]
    """The conversation's chat messages without `instructions`: what a later call continues."""
    echo: dict[str, Any]
    """The `Response` fields that repeat the request (`instructions`, `tools`, `text`, ...)."""
    store: bool
    """False when the caller passed `store=False`: the response is then not kept."""


def chat_plan(body: Mapping[str, Any], *, store: ResponseStore, profile: GatewayProfile) -> ChatPlan:
    """The chat call serving `body` (a Responses create body) on `profile`'s gateway, or a typed error before
    anything is sent."""
    given = {key: value for key, value in body.items() if value is not None}
    for field, value in given.items():
        if field not in _SERVED and field not in _HARMLESS and _asks_for_something(field, value):
            detail = _WHY.get(field, "the gateway's chat route has no such setting")
            if field == "include":
                detail = f"{', '.join(map(repr, value))} cannot be produced; {detail}"
            raise refused(field, detail)
    text = given.get("text") or {}
    # `text.verbosity` (or openai 3.x's top-level one) is the chat call's `verbosity`, which the chat layer sends,
    # or says in the system message where the gateway can't take it: as for a chat call. Checked under its name.
    verbosity = text.get("verbosity", given.get("verbosity"))
    verbosity_line(verbosity, field="text.verbosity")
    instructions = given.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        raise ValueError(f"Expected `instructions` to be a string, got {type(instructions).__name__}")
    model = given.get("model")
    if not isinstance(model, str) or not model.strip():
        raise ValueError(f"Expected a non-empty `model`, got {model!r}")
    if "input" not in given:
        raise ValueError("Expected `input`: the gateway needs at least one message to answer")

    history = list(_previous_messages(given.get("previous_response_id"), store))
    history.extend(input_messages(given["input"]))
    messages = ([{"role": "system", "content": instructions}] if instructions else []) + history

    chat: dict[str, Any] = {"model": model, "messages": messages}
    if verbosity is not None:
        chat["verbosity"] = verbosity
    effort = _reasoning_effort(given.get("reasoning"), model, profile)
    if effort is not None:
        chat["reasoning_effort"] = effort
    tools = [_chat_tool(index, tool) for index, tool in enumerate(given.get("tools") or [])]
    if tools:
        chat["tools"] = tools
        if "tool_choice" in given:
            chat["tool_choice"] = _chat_tool_choice(given["tool_choice"], [tool["function"]["name"] for tool in tools])
        if "parallel_tool_calls" in given:
            chat["parallel_tool_calls"] = given["parallel_tool_calls"]
    elif given.get("tool_choice") not in (None, "auto", "none"):
        raise ValueError(f"`tool_choice={given['tool_choice']!r}` names a tool, but no `tools` were given")
    response_format = _response_format(text.get("format"))
    if response_format is not None:
        chat["response_format"] = response_format
    for ours, theirs in (("max_output_tokens", "max_tokens"), ("temperature", "temperature"), ("top_p", "top_p")):
        if ours in given:
            chat[theirs] = given[ours]
    user = given.get("safety_identifier") or given.get("user")
    if user:
        chat["user"] = user  # the chat layer sends it as the gateway's user header, over the client's user id
    return ChatPlan(chat, tuple(history), _checked(_echo(given)), given.get("store", True) is not False)


def _asks_for_something(field: str, value: object) -> bool:
    """False for the values that mean "the default": `background=False`, `include=[]`, `reasoning={}`."""
    if value in (False, [], {}, ()):
        return False
    if field == "truncation":
        return value != "disabled"
    if field == "service_tier":
        return value not in ("auto", "default")
    if field == "reasoning" and isinstance(value, Mapping):
        # `effort="none"` asks for no reasoning: nothing to refuse where no effort can be sent (`_reasoning_effort`).
        return any(
            setting not in (None, "none") if key == "effort" else setting is not None for key, setting in value.items()
        )
    return True


def _reasoning_effort(reasoning: object, model: str, profile: GatewayProfile) -> object:
    """`reasoning.effort`, to be sent as `reasoning_effort` where the gateway passes it on to `model`, else refused.

    `{}` and an effort of None ask for nothing; so does "none" where the field cannot be sent. Where it can, "none"
    is sent as asked: GPT-5.5 on reason unless told "none" (and LiteLLM takes their temperature only then), and a
    model that cannot stop reasoning (`gpt-5-mini`) has it refused by the gateway, as by OpenAI."""
    if reasoning is None:
        return None
    why = profile.why_no_reasoning_effort(model)
    if isinstance(reasoning, Mapping) and not _asks_for_something("reasoning", reasoning):  # `{}`, None, "none"
        return None if why is not None else reasoning.get("effort")
    if why is not None:
        raise refused("reasoning", why)
    if not isinstance(reasoning, Mapping):
        raise ValueError(f"Expected `reasoning` to be an object (a dict), got {type(reasoning).__name__}")
    for key, setting in reasoning.items():
        if key != "effort" and setting is not None:
            raise refused(f"reasoning.{key}", _REASONING_WHY.get(key, "chat completions have no such setting"))
    return reasoning.get("effort")


def _previous_messages(response_id: object, store: ResponseStore) -> tuple[dict[str, Any], ...]:
    if response_id is None:
        return ()
    if not isinstance(response_id, str) or not response_id:
        raise ValueError(f"Expected `previous_response_id` to be a response id, got {response_id!r}")
    found = store.get(response_id)
    if found is None:
        raise UnknownResponseError(response_id, field="previous_response_id")
    return found.messages


def input_messages(given: object) -> list[dict[str, Any]]:
    """`input` (a string, or a list of message, `function_call` and `function_call_output` items) as chat messages.

    Consecutive `function_call` items become one assistant message with several `tool_calls`, joined to
    the assistant message just before them, as chat completions put them.
    """
    if isinstance(given, str):
        return [{"role": "user", "content": given}]
    if not isinstance(given, Iterable) or isinstance(given, Mapping):
        raise ValueError(f"Expected `input` to be a string or a list of items, got {type(given).__name__}")
    messages: list[dict[str, Any]] = []
    for index, item in enumerate(given):
        if not isinstance(item, Mapping):
            raise ValueError(f"Expected `input[{index}]` to be an item (a dict), got {type(item).__name__}")
        kind = item.get("type", "message")
        if kind == "message" and item.get("role") in _ROLES:
            messages.append({"role": item["role"], "content": _text(item.get("content"), f"input[{index}].content")})
        elif kind == "function_call":
            name, arguments = (_string(item, key, f"input[{index}]") for key in ("name", "arguments"))
            call = {
                "id": _string(item, "call_id", f"input[{index}]"),
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            call_id = _string(item, "call_id", f"input[{index}]")
            output = _text(item.get("output"), f"input[{index}].output")
            messages.append({"role": "tool", "tool_call_id": call_id, "content": output})
        elif kind == "message":
            raise ValueError(f"`input[{index}]` has role {item.get('role')!r}; expected one of {sorted(_ROLES)}")
        else:
            raise refused(f"input[{index}]", f"items of type {kind!r} have no chat equivalent")
    return messages


def _string(item: Mapping[str, Any], key: str, field: str) -> str:
    """A field OpenAI requires of an item, or a ValueError naming it (not a `KeyError` from deep inside)."""
    value = item.get(key)
    if not isinstance(value, str):
        raise ValueError(f"Expected `{field}.{key}` to be a string, got {value!r}")
    return value


def _text(content: object, field: str) -> str:
    """A message's content as one string, one text part per line (as chat calls join them); images, files, audio
    refused."""
    if isinstance(content, str):
        return content
    if not isinstance(content, Iterable) or isinstance(content, Mapping):
        raise ValueError(f"Expected `{field}` to be a string or a list of parts, got {type(content).__name__}")
    texts = []
    for position, part in enumerate(content):
        kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
        if kind == "refusal" and isinstance(part, Mapping):
            texts.append(str(part.get("refusal", "")))
        elif kind in _TEXT_PARTS and isinstance(part, Mapping) and isinstance(part.get("text"), str):
            texts.append(part["text"])
        else:
            raise refused(f"{field}[{position}]", f"the gateway accepts text only, and this part is {kind!r}")
    return "\n".join(texts)  # separate parts stay separate, as a provider reads consecutive text blocks


def _chat_tool(index: int, tool: Mapping[str, Any]) -> dict[str, Any]:
    kind = tool.get("type")
    where = f"tools[{index}]"
    if kind == "custom":
        raise refused(
            where,
            "the tool emulation reads JSON arguments, not a custom tool's free-form input; "
            "only `function` tools can be served (this one is 'custom')",
        )
    if kind != "function":
        raise refused(where, f"{_BUILT_IN_TOOL} (this one is {kind!r})")
    for field, value in tool.items():
        if field not in _FUNCTION_FIELDS and value is not None and _asks_for_something(field, value):
            raise refused(f"{where}.{field}", _TOOL_WHY.get(field, "chat tools have no such setting"))
    callers = tool.get("allowed_callers")
    if isinstance(callers, (list, tuple)) and "direct" not in callers:
        raise refused(
            f"{where}.allowed_callers",
            f"over chat the model can only call a function directly ('direct'), which {list(callers)!r} rules out",
        )
    function = {
        "name": _string(tool, "name", where),
        "parameters": tool.get("parameters") or {"type": "object", "properties": {}},
    }
    if description := _description(tool, where):
        function["description"] = description
    if tool.get("strict") is not None:
        function["strict"] = tool["strict"]
    return {"type": "function", "function": function}


def _description(tool: Mapping[str, Any], where: str) -> str:
    """The function's description, with its `output_schema` in words: chat tools have no field for it, and the
    schema is there for the model to read the function's output by."""
    description = tool.get("description") or ""
    schema = tool.get("output_schema")
    if schema is not None and not isinstance(schema, Mapping):
        raise ValueError(f"Expected `{where}.output_schema` to be a JSON schema (a dict), got {type(schema).__name__}")
    if not schema:
        return str(description)
    said = f"Its output is JSON matching this schema: {json.dumps(schema)}"
    return f"{description}\n\n{said}" if description else said


def _chat_tool_choice(choice: object, names: list[str]) -> object:
    if choice in ("auto", "none", "required"):
        return choice
    if isinstance(choice, Mapping) and choice.get("type") == "function" and isinstance(choice.get("name"), str):
        if choice["name"] not in names:  # said here, as the caller wrote it, not in the chat layer's terms
            offered = ", ".join(names)
            raise ValueError(
                f"`tool_choice` names the function {choice['name']!r}, which is not one of the `tools` ({offered})"
            )
        return {"type": "function", "function": {"name": choice["name"]}}
    if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        listed = choice.get("tools")
        return {  # checked by the chat layer: `_tool_prompt._allowed_tools`
            "type": "allowed_tools",
            "allowed_tools": {
                "mode": choice.get("mode"),
                "tools": [_chat_allowed_tool(tool) for tool in listed] if isinstance(listed, list) else listed,
            },
        }
    kind = choice.get("type") if isinstance(choice, Mapping) else choice
    raise refused(
        "tool_choice", f"only 'auto', 'none', 'required', one function or `allowed_tools` can be chosen, not {kind!r}"
    )


def _chat_allowed_tool(tool: object) -> object:
    """`{"type": "function", "name": n}` as chat completions spell it; anything else as it came, to be refused."""
    if isinstance(tool, Mapping) and tool.get("type") == "function" and "name" in tool:
        return {"type": "function", "function": {"name": tool["name"]}}
    return tool


def _response_format(fmt: object) -> dict[str, Any] | None:
    if fmt is None or not isinstance(fmt, Mapping) or fmt.get("type") == "text":
        return None
    if fmt.get("type") == "json_object":
        return {"type": "json_object"}
    if fmt.get("type") == "json_schema":
        schema = {key: fmt[key] for key in ("name", "schema", "description", "strict") if fmt.get(key) is not None}
        return {"type": "json_schema", "json_schema": schema}
    raise refused("text.format", f"format {fmt.get('type')!r} has no chat equivalent")


def _echo(given: Mapping[str, Any]) -> dict[str, Any]:
    """The request's settings as OpenAI repeats them in the `Response` (with OpenAI's defaults)."""
    text = given.get("text") or {}
    verbosity = {"verbosity": text["verbosity"]} if text.get("verbosity") else {}
    return {
        "instructions": given.get("instructions"),
        "max_output_tokens": given.get("max_output_tokens"),
        "max_tool_calls": given.get("max_tool_calls"),  # of built-in tools, which the gateway never calls
        "metadata": dict(given.get("metadata") or {}),
        "parallel_tool_calls": given.get("parallel_tool_calls", True),
        "previous_response_id": given.get("previous_response_id"),
        "temperature": given.get("temperature", 1.0),
        "top_p": given.get("top_p", 1.0),
        "tool_choice": given.get("tool_choice", "auto"),
        "tools": [dict(tool) for tool in given.get("tools") or []],
        "text": {"format": dict(text.get("format") or {"type": "text"}), **verbosity},
        "truncation": "disabled",
        "store": given.get("store", True) is not False,
        "user": given.get("user"),
        "safety_identifier": given.get("safety_identifier"),
        "background": False,
        "reasoning": dict(given["reasoning"]) if isinstance(given.get("reasoning"), Mapping) else None,
    }


_ECHOED = pydantic.create_model(  # type: ignore[call-overload]
    "_Echoed", **{name: (field.annotation, ...) for name, field in Response.model_fields.items() if name in _echo({})}
)
"""The `Response` fields the echo fills: checked before sending, as the finished `Response` would be after."""


def _checked(echo: dict[str, Any]) -> dict[str, Any]:
    """The echo, if a `Response` can repeat it; else a ValueError naming the field (the call is not yet paid for)."""
    try:
        _ECHOED.model_validate(echo)
    except pydantic.ValidationError as error:
        first = min(error.errors(), key=lambda found: found["type"] != "missing")  # a missing key says the most
        where = ".".join(str(step) for step in first["loc"] if not str(step)[:1].isupper())  # no union member names
        got = "" if first["type"] == "missing" else f", got {first['input']!r}"
        raise ValueError(f"Expected `{first['loc'][0]}` as OpenAI defines it: `{where}`: {first['msg']}{got}") from None
    return echo


def chat_tool_calls(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`function_call` output items as a chat assistant message's `tool_calls` (for the stored conversation)."""
    return [
        {"id": item["call_id"], "type": "function", "function": {"name": item["name"], "arguments": item["arguments"]}}
        for item in items
        if item.get("type") == "function_call"
    ]
