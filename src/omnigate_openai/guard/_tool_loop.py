"""The tool loop: ask, run the tools the model called through your executor, ask again, until it answers.

Every ask is a guarded call of the client it is given (limits, loops, tool access, history), and
every tool call is checked before it is executed: a denied tool or a spent tool-call limit raises
instead of running. The loop stops with `LimitExceededError(limit="max_iterations")` after
`max_iterations` asks that all ended in tool calls.

The executor gets a function tool call's name and JSON arguments (a dict), and a custom tool call's
(`{"type": "custom"}` tools, openai's `ChatCompletionMessageCustomToolCall`) name and free-form input
(a str, as the model wrote it); its result goes back as the call's tool message either way.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from ._errors import LimitExceededError, ToolAccessDeniedError
from ._tools import policy_for

__all__ = ["acall_with_tools", "call_with_tools"]

ToolExecutor = Callable[[str, Any], Any]
"""`executor(name, arguments)` -> the tool's result (a string, or anything `json.dumps` can write). `arguments`
is a dict for a function tool, the input text (a str) for a custom tool."""


def call_with_tools(
    client: Any,
    *,
    messages: Iterable[Mapping[str, Any]],
    tools: Iterable[Mapping[str, Any]],
    tool_executor: ToolExecutor,
    max_iterations: int = 10,
    **create: Any,
) -> Any:
    """Run the tool loop with `client` (a guarded `OpenAI`); returns the first completion without tool calls."""
    conversation, offered = _start(messages, tools, max_iterations)
    for _ in range(max_iterations):
        completion = client.chat.completions.create(messages=conversation, tools=offered, **create)
        calls = _tool_calls(completion)
        if not calls:
            return completion
        conversation.append(_assistant_turn(completion))
        for call in calls:
            tool = _tool_name(call)
            _check(client, tool)
            result = tool_executor(tool, _arguments(call))
            if isinstance(result, Awaitable):
                raise TypeError("call_with_tools got an async tool_executor: use acall_with_tools")
            conversation.append(_tool_turn(call, result))
    raise _too_many(max_iterations)


async def acall_with_tools(
    client: Any,
    *,
    messages: Iterable[Mapping[str, Any]],
    tools: Iterable[Mapping[str, Any]],
    tool_executor: ToolExecutor,
    max_iterations: int = 10,
    **create: Any,
) -> Any:
    """`call_with_tools` for an `AsyncOpenAI`; the executor may be sync or async."""
    conversation, offered = _start(messages, tools, max_iterations)
    for _ in range(max_iterations):
        completion = await client.chat.completions.create(messages=conversation, tools=offered, **create)
        calls = _tool_calls(completion)
        if not calls:
            return completion
        conversation.append(_assistant_turn(completion))
        for call in calls:
            tool = _tool_name(call)
            _check(client, tool)
            result = tool_executor(tool, _arguments(call))
            if isinstance(result, Awaitable):
                result = await result
            conversation.append(_tool_turn(call, result))
    raise _too_many(max_iterations)


def _start(
    messages: Iterable[Mapping[str, Any]], tools: Iterable[Mapping[str, Any]], max_iterations: int
) -> tuple[list[Any], list[Any]]:
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) or max_iterations < 1:
        raise ValueError(f"Expected max_iterations to be an int >= 1, got {max_iterations!r}")
    offered = list(tools)
    if not offered:
        raise ValueError("Expected at least one tool in `tools`")
    return list(messages), offered


def _tool_calls(completion: Any) -> list[Any]:
    message = completion.choices[0].message if completion.choices else None
    return list(message.tool_calls or ()) if message is not None else []


def _assistant_turn(completion: Any) -> dict[str, Any]:
    turn: dict[str, Any] = completion.choices[0].message.model_dump(exclude_none=True)
    return turn


def _tool_turn(call: Any, result: object) -> dict[str, Any]:
    content = result if isinstance(result, str) else json.dumps(result)
    return {"role": "tool", "tool_call_id": call.id, "content": content}


def _tool_name(call: Any) -> str:
    """A custom tool call has `custom` (name, free-form input) where a function tool call has `function`."""
    custom = getattr(call, "custom", None)
    return str(custom.name if custom is not None else call.function.name)


def _arguments(call: Any) -> Any:
    """A function tool's JSON arguments as a dict; a custom tool's input text as written."""
    custom = getattr(call, "custom", None)
    if custom is not None:
        return custom.input
    raw = call.function.arguments or "{}"
    parsed = json.loads(raw)
    if not isinstance(parsed, dict):
        raise ValueError(f"Expected tool arguments to be a JSON object, got {raw!r:.200}")
    return parsed


def _check(client: Any, tool: str) -> None:
    """Before a tool runs: the agent may use it, and the guard's tool-call limits are not exceeded."""
    binding = getattr(client, "_guard", None)
    if binding is None:
        return
    guard, agent_id = binding.guard, binding.agent_id
    policy = policy_for(guard.tool_access, agent_id)
    if policy is not None and not policy.allows(tool):
        raise ToolAccessDeniedError(tool=tool, agent_id=agent_id, where="called")
    scopes = guard.scopes(agent_id, client.user_id)
    for line, used in zip(scopes.lines, guard.store.usage(scopes.names), strict=True):
        bound = line.bounds.tool_calls
        if bound >= 0 and used.spent.tool_calls > bound:
            raise LimitExceededError(
                limit="max_tool_calls", current=used.spent.tool_calls, maximum=bound, requested=1, scope=line.scope
            )


def _too_many(max_iterations: int) -> LimitExceededError:
    return LimitExceededError(
        limit="max_iterations", current=max_iterations, maximum=max_iterations, requested=1, scope="tool loop"
    )
