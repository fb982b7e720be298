"""Whether a chat call is served by prompt (tool calling, structured output, `verbosity`), where the gateway drops them.

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

The work itself (`_emulated_call.py`, the prompt and the reader of the answers) loads with the first
call that is emulated, not with `import omnigate_openai`: this module is what every call asks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._config import Settings
from ._sdk import FinalRequestOptions, Omit

if TYPE_CHECKING:
    from ._emulated_call import EmulatedCall
    from ._tool_reply import ReplyRules

__all__ = [
    "Emulation",
    "RejectedReply",
    "emulated_tool_names",
    "emulation_for",
    "emulation_wanted",
    "field_sent",
    "stream_class_for",
    "tools_refused",
]


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
) -> EmulatedCall | None:
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
    verbosity = field_sent(options, "verbosity")
    if verbosity is not None and settings.profile.emulates_verbosity_for(field_sent(options, "model")):
        emulated += ("verbosity",)  # whatever `allow_ignored_fields` says: Responses serves `text.verbosity` so too
    if not emulated:
        return None
    from ._emulated_call import EmulatedCall  # the emulation loads with the first call it serves

    return EmulatedCall(options, emulated, max_reasks=settings.max_reasks, texts=texts)


def emulated_tool_names(options: FinalRequestOptions) -> list[str]:
    """The names of the tools an emulated call offers: taken out of its body, they live on in its reader.

    Empty for a call that is not emulated (its tools, if any, are still in its body).
    """
    emulation = options.post_parser
    return [tool.name for tool in emulation.rules.tools] if isinstance(emulation, Emulation) else []


def stream_class_for(chosen: Any, options: FinalRequestOptions) -> Any:
    """The profile's stream class `chosen` (`Stream[Chunk]`), or one reading the answer when the call is emulated."""
    emulation = options.post_parser
    if not isinstance(emulation, Emulation) or not emulation.reads_replies:
        return chosen
    from ._emulated_stream import emulated_stream_class

    return emulated_stream_class(chosen)


def field_sent(options: FinalRequestOptions, field: str) -> object:
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


class RejectedReply(Exception):
    """An attempt's answer broke the contract: raised by the post-parser, caught by the client's loop."""

    def __init__(self, problem: str, *, reply: str, completion: Any) -> None:
        super().__init__(problem)
        self.problem = problem
        self.reply = reply
        self.completion = completion


class Emulation:
    """An emulated call as the client, its streams and a guard ask about it, without loading the emulation.

    `EmulatedCall` (`_emulated_call.py`) is the one kind there is; `emulation_for` loads it when a call needs it.
    """

    emulated: tuple[str, ...]
    """What is served by prompt: "tools", "response_format", "tool_history", "verbosity"."""
    attempts: int
    """How many attempts were sent so far (a re-ask is one more)."""
    rules: ReplyRules
    """What an answer must be: the tools offered, the tool choice, the answer's format."""

    @property
    def reads_replies(self) -> bool:
        """False when only the history was rewritten: the answer is then plain text, as it came."""
        return bool(self.rules.tools) or self.rules.answer is not None
