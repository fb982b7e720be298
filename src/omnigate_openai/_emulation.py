"""Tool calling, structured output and `verbosity` by prompt, for a gateway that drops them: one emulated chat call.

`emulation_for(options, settings)` decides (the one place that does, from the gateway profile's
`emulates_tools` and `emulates_verbosity_for(model)` and the caller's `emulate_tools`) and returns an
`Emulation`, which the client's `request` drives:

    emulation = emulation_for(options, settings)            # None: an ordinary call
    while True:
        try:
            return emulation.finished(send(emulation.options()))
        except RejectedReply as rejected:
            emulation.ask_again(rejected)                   # or ModelOutputError, carrying the reply

Each attempt is an ordinary SDK request (its retries, raw responses and metadata intact); the answer
is read by the options' `post_parser`, which the SDK applies to every parsed completion, before
the SDK's own parser (`.parse()` then fills `message.parsed` from what it left). Streams read it
as they go (`_emulated_stream.py`), and ask again within the stream while nothing of the broken
answer was shown. Usage and cost are summed over the attempts.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ._config import Settings
from ._exceptions import ModelOutputError, UnsupportedFeatureError
from ._meta import GatewayMeta, attach_meta, meta, with_meta
from ._sdk import FinalRequestOptions, NotGiven, Omit, model_copy, not_given
from ._tool_prompt import (
    AnswerFormat,
    Tool,
    ToolChoice,
    answer_format,
    instructions,
    tool_choice,
    tools_of,
    with_instructions,
    written_history,
)
from ._tool_reply import Reading, ReplyRejected, ReplyRules, read_reply, schema_error
from ._verbosity import verbosity_line

__all__ = ["Emulation", "RejectedReply", "emulated_tool_names", "emulation_for", "new_call_id", "tools_refused"]

_TOOL_FIELDS = ("tools", "functions", "tool_choice", "function_call", "parallel_tool_calls")
_EMULATED_FIELDS = (*_TOOL_FIELDS, "response_format")
_TOOL_PARTS = frozenset({"tools", "response_format", "tool_history"})
"""What tool emulation serves; `verbosity` is served alone where tools are not (`emulate_tools=False`, Flow)."""


def emulation_wanted(settings: Settings) -> bool:
    """Whether this client serves tools by prompt: its gateway profile drops them, and the caller didn't say no."""
    return settings.profile.emulates_tools and settings.emulate_tools


def tools_refused(settings: Settings) -> bool:
    """Whether this client refuses tools and JSON modes: its gateway drops them and the caller turned emulation off.

    Not the negation of `emulation_wanted`: a gateway that serves them natively (Flow) neither emulates nor refuses.
    """
    return settings.profile.emulates_tools and not settings.emulate_tools


def emulation_for(
    options: FinalRequestOptions, settings: Settings, *, texts: Mapping[str, str] | None = None
) -> Emulation | None:
    """The emulation of a chat call that offers tools, asks for JSON, carries tool messages or sets `verbosity`
    (each where the gateway can't serve it); else None.

    `texts`: `json.dumps` of the body's `tools` / `functions` where the caller has it (`_emulated_chat.py`).
    """
    body = options.json_data
    # A chat completion, on whatever path the profile serves it: the one POST whose body has `messages`.
    chat = options.method.lower() == "post" and options.url.endswith("completions")
    if not chat or not isinstance(body, Mapping) or "messages" not in body:
        return None
    emulated = _emulated_parts(body) if emulation_wanted(settings) else ()
    if _sent(options, "verbosity") is not None and settings.profile.emulates_verbosity_for(_sent(options, "model")):
        emulated += ("verbosity",)  # whatever `allow_ignored_fields` says: Responses serves `text.verbosity` so too
    if not emulated:
        return None
    return Emulation(options, emulated, max_reasks=settings.max_reasks, texts=texts)


def emulated_tool_names(options: FinalRequestOptions) -> list[str]:
    """The names of the tools an emulated call offers: taken out of its body, they live on in its reader.

    Empty for a call that is not emulated (its tools, if any, are still in its body).
    """
    emulation = options.post_parser
    return [tool.name for tool in emulation.rules.tools] if isinstance(emulation, Emulation) else []


def _sent(options: FinalRequestOptions, field: str) -> object:
    """The `field` the SDK would send: `extra_body`'s over the body's, as the SDK merges them (after the
    client's hooks, which see `extra_body` apart, in `extra_json`); an `omit` there sends none."""
    body: Mapping[str, Any] = options.json_data  # type: ignore[assignment]
    extra = options.extra_json if isinstance(options.extra_json, Mapping) else {}
    value = extra.get(field, body.get(field))
    return None if isinstance(value, Omit) else value


def _emulated_parts(body: Mapping[str, Any]) -> tuple[str, ...]:
    parts = []
    if body.get("tools") or body.get("functions"):
        parts.append("tools")
    format_ = body.get("response_format")
    if isinstance(format_, Mapping) and format_.get("type") not in (None, "text"):
        parts.append("response_format")
    for message in body.get("messages") or ():
        if isinstance(message, Mapping) and (
            message.get("role") in ("tool", "function") or message.get("tool_calls") or message.get("function_call")
        ):
            parts.append("tool_history")
            break
    return tuple(parts)


def new_call_id() -> str:
    """A tool call id in OpenAI's shape (`call_` and 24 characters)."""
    return "call_" + secrets.token_hex(12)


class RejectedReply(Exception):
    """An attempt's answer broke the contract: raised by the post-parser, caught by the client's loop."""

    def __init__(self, problem: str, *, reply: str, completion: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.reply = reply
        self.completion = completion


class Emulation:
    """One chat call served by prompt: its rewritten request, its reading rules, its attempts so far."""

    def __init__(
        self,
        options: FinalRequestOptions,
        emulated: tuple[str, ...],
        *,
        max_reasks: int,
        texts: Mapping[str, str] | None = None,
    ) -> None:
        body: Mapping[str, Any] = options.json_data  # type: ignore[assignment]
        steer = verbosity_line(_sent(options, "verbosity"), field="verbosity") if "verbosity" in emulated else ""
        by_prompt = not _TOOL_PARTS.isdisjoint(emulated)  # else the tools, if any, stay in the body
        tools, self.legacy = tools_of(body, texts=texts) if by_prompt else ((), False)
        answer = answer_format(body) if by_prompt else None
        _refuse_broken_schemas(tools, answer, legacy=self.legacy)
        choice = tool_choice(body, tools) if by_prompt else ToolChoice()
        tools = choice.offered(tools)
        self.rules = ReplyRules(tools, choice, answer)
        self.emulated = emulated
        self.max_reasks = max_reasks
        self._original = options
        self._then: Callable[[Any], Any] | None = (
            None if isinstance(options.post_parser, NotGiven) else options.post_parser  # the SDK's `.parse()`
        )
        messages = list(body.get("messages") or ())
        messages = with_instructions(written_history(messages) if by_prompt else messages, steer)
        # The verbosity line first: where Responses puts it, after the instructions and before the tools.
        self._messages = with_instructions(messages, instructions(tools, self.rules.choice, answer))
        dropped = (_EMULATED_FIELDS if by_prompt else ()) + (("verbosity",) if "verbosity" in emulated else ())
        self._body = {key: value for key, value in body.items() if key not in dropped}
        extra = options.extra_json
        if "verbosity" in emulated and isinstance(extra, Mapping) and "verbosity" in extra:
            extra = {key: value for key, value in extra.items() if key != "verbosity"} or None
        self._extra = extra
        self._reasks: list[dict[str, Any]] = []
        self.attempts = 0
        self._spent: list[tuple[Any, float | None]] = []  # (usage, cost) of each rejected attempt

    @property
    def reads_replies(self) -> bool:
        """False when only the history was rewritten: the answer is then plain text, as it came."""
        return bool(self.rules.tools) or self.rules.answer is not None

    def options(self, *, read: bool = True) -> FinalRequestOptions:
        """The next attempt's request: the rewritten conversation (and any re-asks), read by `self`.

        `read=False` for a stream's re-ask: the stream already reading the answer reads this one too.
        """
        options = model_copy(self._original)
        options.json_data = {**self._body, "messages": [*self._messages, *self._reasks]}
        options.extra_json = self._extra
        options.post_parser = self if read else not_given
        self.attempts += 1
        return options

    def __call__(self, completion: Any) -> Any:
        """The post-parser: the completion, its answer read into content and tool calls, then the SDK's parser."""
        if self.reads_replies and _is_completion(completion):
            self._read(completion)
        self._settle(completion)
        if self._then is None:
            return completion
        return with_meta(self._then(completion), meta(completion))  # `.parse()` builds a new object

    def reads_now(self, result: Any) -> bool:
        """Whether `result` is a raw response to parse now (`with_raw_response`), so a broken answer is re-asked."""
        return hasattr(result, "http_response") and callable(getattr(result, "parse", None)) and not _streamed(result)

    def ask_again(self, rejected: RejectedReply, *, usage: Any = None) -> None:
        """Record a rejected attempt and queue the re-ask; `ModelOutputError` once the re-asks are spent.

        `usage`: a streamed attempt's, from its usage chunk (a completion carries its own)."""
        completion = rejected.completion
        self._spent.append((usage if usage is not None else getattr(completion, "usage", None), _cost(completion)))
        if len(self._reasks) // 2 >= self.max_reasks:
            error = ModelOutputError(
                f"The model's answer broke the {' and '.join(self._what())} contract after {self.attempts} "
                f"attempt(s): {rejected.problem}",
                raw_reply=rejected.reply,
                problem=rejected.problem,
                attempts=self.attempts,
            )
            attach_meta(error, self._meta_over(completion, [cost for _, cost in self._spent]))
            raise error from None
        self._reasks += [
            {"role": "assistant", "content": _sendable(rejected.reply)},
            {
                "role": "user",
                "content": f"Your answer could not be used: {_sendable(rejected.problem)} "
                "Answer again, following the format exactly.",
            },
        ]

    # -- reading one answer ----------------------------------------------------------------------

    def _read(self, completion: Any) -> None:
        choice = completion.choices[0]
        message = choice.message
        reply = message.content or ""
        try:
            reading = read_reply(self.rules, reply)
        except ReplyRejected as exc:
            raise RejectedReply(str(exc), reply=reply, completion=completion) from None
        apply_reading(message, reading, legacy=self.legacy)
        if reading.calls and choice.finish_reason in ("stop", None):
            choice.finish_reason = "function_call" if self.legacy else "tool_calls"

    def _settle(self, completion: Any) -> None:
        """Usage and metadata over every attempt so far (this one included)."""
        if getattr(completion, "usage", None) is not None:
            completion.usage = self.usage_over_attempts(completion.usage)
        attach_meta(completion, self.meta_over_attempts(completion))

    def usage_over_attempts(self, usage: Any) -> Any:
        """`usage` (the last attempt's), summed with every rejected attempt's; itself when none was rejected."""
        if not self._spent:
            return usage
        return summed_usage([spent for spent, _ in self._spent] + [usage])

    def meta_over_attempts(self, answer: Any) -> GatewayMeta:
        """The metadata of `answer` (the last attempt: a completion, or a re-ask's stream), saying what was
        emulated, with its cost summed over every attempt."""
        return self._meta_over(answer, [cost for _, cost in self._spent] + [_cost(answer)])

    def _meta_over(self, completion: Any, costs: list[float | None]) -> GatewayMeta:
        """The completion's metadata, saying what was emulated, with the cost of `costs` summed."""
        try:
            found = meta(completion)
        except TypeError:
            found = GatewayMeta()
        total = None if any(cost is None for cost in costs) else float(sum(Decimal(str(cost)) for cost in costs))
        return found.emulating(self.emulated).replace(attempts=self.attempts, cost_usd=total)

    def _what(self) -> list[str]:
        named = {"tools": "tool-call", "response_format": "JSON answer"}
        return [named.get(part, part) for part in self.emulated if part != "verbosity"]


def _refuse_broken_schemas(tools: tuple[Tool, ...], answer: AnswerFormat | None, *, legacy: bool) -> None:
    """`UnsupportedFeatureError` naming the first tool or format whose schema is not JSON Schema, before sending."""
    checked: list[tuple[str, str | None]] = [
        (f"{'functions' if legacy else 'tools'}[{index}]", tool.schema_text) for index, tool in enumerate(tools)
    ]
    if answer is not None:
        checked.append(("response_format", answer.schema_text))
    for field, text in checked:
        problem = None if text is None or text == "{}" else schema_error(text)
        if problem is not None:
            raise UnsupportedFeatureError(f"`{field}` is not a valid JSON Schema: {problem}", field=field)


def apply_reading(message: Any, reading: Reading, *, legacy: bool) -> None:
    """Put a validated reading into an SDK `ChatCompletionMessage`: content, tool calls (or a legacy call)."""
    message.content = reading.content
    if not reading.calls:
        return
    if legacy:
        from openai.types.chat.chat_completion_message import FunctionCall

        first = reading.calls[0]
        message.function_call = FunctionCall(name=first.name, arguments=first.arguments)
        return
    build = _tool_call_builder()
    message.tool_calls = [
        build({"id": new_call_id(), "type": "function", "function": {"name": call.name, "arguments": call.arguments}})
        for call in reading.calls
    ]


@functools.cache
def _tool_call_builder() -> Callable[[dict[str, Any]], Any]:
    """A tool call built by pydantic-core's strict validation: the object the SDK's `model_construct` builds
    (same class, fields and `model_fields_set`; `tests/test_tool_reply.py` compares them), fifteen times faster."""
    from openai.types.chat import ChatCompletionMessageFunctionToolCall

    return functools.partial(ChatCompletionMessageFunctionToolCall.model_validate, strict=True)


def summed_usage(usages: list[Any]) -> Any:
    """One `CompletionUsage` over several attempts (the token details of a single attempt don't add up)."""
    from openai.types import CompletionUsage

    prompt = sum(int(getattr(usage, "prompt_tokens", 0) or 0) for usage in usages if usage is not None)
    completion = sum(int(getattr(usage, "completion_tokens", 0) or 0) for usage in usages if usage is not None)
    return CompletionUsage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion)


def _sendable(text: str) -> str:
    """`text` encodable as UTF-8, to quote it in a re-ask: surrogates joined into their character, lone ones U+FFFD.

    A gateway that cuts text on UTF-16 code units sends half an emoji per delta, each a lone surrogate
    escaped in JSON; the answer, or a value of it that a problem quotes, then holds surrogates that the
    request body cannot encode.
    """
    if text.isascii():
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _cost(completion: Any) -> float | None:
    try:
        return meta(completion).cost_usd
    except TypeError:
        return None


def _is_completion(value: Any) -> bool:
    choices: Any = getattr(value, "choices", None)
    return bool(choices) and hasattr(choices[0], "message")


def _streamed(result: Any) -> bool:
    return bool(getattr(result, "_stream", False))
