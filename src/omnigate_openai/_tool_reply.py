"""The model's answer to an emulated request: read tolerantly, validated strictly, whole or as it streams.

The model was asked (`_tool_prompt.py`) for plain text or one `{"tool_calls": [...]}` envelope, or
for one JSON object. Models wrap such answers in code fences, put prose around them, or think aloud
first in a `<think>` block, so the reading tolerates all three. What it finds is then held to the
request: a known tool, arguments valid against its JSON Schema (a real validator), the tool choice
obeyed, the answer valid against the response format. Valid values are confirmed by the schema
compiled with fastjsonschema; anything it rejects is judged, and explained, by `jsonschema`. A
failure is a `ReplyRejected` whose message is told to the model when the client asks again.

`read_reply` reads a whole answer; `ReplyScanner` reads one as it streams and releases text as soon
as it cannot be part of an envelope. Both run the same rules, so a streamed answer and the same
answer read whole give the same message (`tests/test_tool_reply.py` checks every split point).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ._tool_prompt import CALLS_KEY, AnswerFormat, Tool, ToolChoice

__all__ = ["Call", "Reading", "ReplyRejected", "ReplyRules", "ReplyScanner", "read_reply", "schema_error"]

_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
_FENCE = "```"
_WHITESPACE = " \t\r\n"
# What `json` raises on text it can't decode: JSON nested deeper than the recursion limit is RecursionError.
_UNDECODABLE = (ValueError, RecursionError)


@dataclasses.dataclass(frozen=True)
class Call:
    """One tool call the model made: a known tool and its validated arguments as a JSON string."""

    name: str
    arguments: str


@dataclasses.dataclass(frozen=True)
class Reading:
    """The message the answer becomes: its text (None when it is only calls) and its calls."""

    content: str | None
    calls: tuple[Call, ...] = ()


class ReplyRejected(ValueError):
    """The answer broke the contract; `str(error)` is what the model is told when it is asked again."""


@dataclasses.dataclass(frozen=True)
class ReplyRules:
    """What an answer to one request must be: the offered tools, the tool choice, the answer format."""

    tools: tuple[Tool, ...] = ()
    choice: ToolChoice = dataclasses.field(default_factory=ToolChoice)
    answer: AnswerFormat | None = None

    @property
    def wants_calls(self) -> bool:
        """Whether an envelope is looked for: tools were offered (even with `tool_choice="none"`, to refuse it)."""
        return bool(self.tools)

    def checked(self, content: str, calls: Sequence[Any], json_answer: str | None) -> Reading:
        """The validated message for what the answer held, or `ReplyRejected` saying what is wrong."""
        made = tuple(self._call(index, call) for index, call in enumerate(calls))
        choice = self.choice
        if made and choice.mode == "none":
            raise ReplyRejected("No tool may be called now (tool choice: none); answer in plain text.")
        if not made and choice.mode in ("required", "function"):
            wanted = "at least one tool" if choice.mode == "required" else f"the tool {choice.name}"
            raise ReplyRejected(f"You must call {wanted} now; answer with the JSON envelope only.")
        if choice.mode == "function" and any(call.name != choice.name for call in made):
            others = sorted({call.name for call in made if call.name != choice.name})
            raise ReplyRejected(f"Only the tool {choice.name} may be called now, not {', '.join(others)}.")
        if len(made) > 1 and not choice.parallel:
            raise ReplyRejected(f"Call at most one tool per answer (parallel calls: no); you called {len(made)}.")
        if made:
            return Reading(content or None, made)
        if self.answer is not None:
            return Reading(self._answer(json_answer))
        return Reading(content)

    def _call(self, index: int, call: Any) -> Call:
        where = f"tool_calls[{index}]"
        if not isinstance(call, Mapping) or not isinstance(call.get("name"), str):
            raise ReplyRejected(f'{where} must be an object with a "name" and "arguments"; got {_short(call)}.')
        tool = next((tool for tool in self.tools if tool.name == call["name"]), None)
        if tool is None:
            known = ", ".join(tool.name for tool in self.tools)
            raise ReplyRejected(f"{where} calls an unknown tool {call['name']!r}; the tools are: {known}.")
        arguments = call.get("arguments", {})
        if isinstance(arguments, str):  # the model wrote OpenAI's own string form
            try:
                arguments = json.loads(arguments)
            except _UNDECODABLE:
                raise ReplyRejected(f"{where}.arguments is not a JSON object: {_short(arguments)}.") from None
        if not isinstance(arguments, dict):
            raise ReplyRejected(f"{where}.arguments must be a JSON object; got {_short(arguments)}.")
        if tool.parameters is not None:
            problem = _schema_problem(tool.schema_text, arguments)
            if problem is not None:
                raise ReplyRejected(f"{where} ({tool.name}) has arguments that break its schema: {problem}.")
        return Call(tool.name, json.dumps(arguments, ensure_ascii=False, separators=(",", ":")))

    def _answer(self, json_answer: str | None) -> str:
        assert self.answer is not None
        if json_answer is None:
            raise ReplyRejected("Your answer must be one JSON object; it held none.")
        try:
            value = json.loads(json_answer)
        except _UNDECODABLE as exc:
            raise ReplyRejected(f"Your answer is not valid JSON: {exc}.") from None
        if not isinstance(value, dict):
            raise ReplyRejected(f"Your answer must be a JSON object; got {_short(value)}.")
        if self.answer.schema_text is not None:
            problem = _schema_problem(self.answer.schema_text, value)
            if problem is not None:
                raise ReplyRejected(f"Your answer breaks the required JSON Schema: {problem}.")
        return json_answer


# The validators are imported on the first schema they check: together they cost about 60 ms, which
# `import omnigate_openai` must not pay for a feature most programs never use.


@functools.lru_cache(maxsize=256)
def _validator(schema_text: str) -> Any:
    import jsonschema

    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@functools.lru_cache(maxsize=256)
def schema_error(schema_text: str) -> str | None:
    """Why `schema_text` is not a valid JSON Schema (checked against its metaschema), else None.

    Asked before the call is sent: the validator would otherwise meet a broken schema only when it
    reads the answer, after the call was billed, and raise its own error (`UnknownType`, `TypeError`).
    """
    import jsonschema

    schema = json.loads(schema_text)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        return _said(error)
    if '"$id"' not in schema_text:  # every reference is then to a place in this document
        for ref in _local_refs(schema):
            if not _points_to_something(schema, ref):
                return f"$ref {ref!r} points to nothing in it"
    return None


def _local_refs(node: object) -> Iterator[str]:
    """The `$ref`s into the document itself (`#/...`, JSON pointers) in `node`, depth first."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            yield ref
        for value in node.values():
            yield from _local_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _local_refs(value)


def _points_to_something(schema: object, ref: str) -> bool:
    node = schema
    for token in ref[2:].split("/"):
        key = urllib.parse.unquote(token).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


@functools.lru_cache(maxsize=256)
def _fast_check(schema_text: str) -> Callable[[object], object] | None:
    """The schema compiled to Python by fastjsonschema (ten times faster), or None where it can't compile it."""
    import fastjsonschema

    try:
        return fastjsonschema.compile(json.loads(schema_text))
    except Exception:  # a schema it doesn't support: the reference validator alone decides
        return None


def _schema_problem(schema_text: str, value: object) -> str | None:
    """None if `value` is valid; else the reference validator's most relevant error, with where it is.

    A recursive schema (`$ref`) is checked one level of the value at a time, several frames each: a deep
    enough value exhausts the recursion limit, and is refused rather than let RecursionError out.
    """
    fast = _fast_check(schema_text)
    if fast is not None:
        import fastjsonschema  # loaded already: it compiled `fast`

        try:
            fast(value)
            return None
        except (fastjsonschema.JsonSchemaException, RecursionError):
            pass  # the reference validator decides and says what is wrong
    import jsonschema

    try:
        error = jsonschema.exceptions.best_match(_validator(schema_text).iter_errors(value))
    except RecursionError:
        return "they are nested too deeply to check"
    return None if error is None else _said(error)


def _said(error: Any) -> str:
    """A validator's error and where it is. Its message quotes the offending value whole ("{...50 KB...} is not
    of type 'string'"): the start and what is wrong are kept, so a huge value makes no huge re-ask or error."""
    message: str = error.message
    if len(message) > 400:
        message = f"{message[:200]} ... {message[-150:]}"
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{message} (at {where})" if where else message


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def read_reply(rules: ReplyRules, text: str) -> Reading:
    """The validated message of a whole answer (`ReplyRejected` if it breaks the contract)."""
    if not rules.wants_calls and rules.answer is not None:  # the common structured case, read at C speed
        body = _after_think(text)
        start = body.find("{")
        return rules.checked("", (), None if start < 0 else body[start : _object_end(body, start)])
    scanner = ReplyScanner(rules)
    shown = scanner.feed(text)
    rest, reading = scanner.finish()
    assert reading.content is None or reading.content == shown + rest
    return reading


def _after_think(text: str) -> str:
    body = text.lstrip(_WHITESPACE)
    while body.startswith(_THINK_OPEN):
        end = body.find(_THINK_CLOSE)
        if end < 0:
            return ""
        body = body[end + len(_THINK_CLOSE) :].lstrip(_WHITESPACE)
    return body


def _object_end(text: str, start: int) -> int:
    """The end of the JSON object starting at `start`: by the decoder when it is valid, else by its braces."""
    try:
        return _DECODER.raw_decode(text, start)[1]
    except _UNDECODABLE:
        end = _Braces().scan(text, start)
        return len(text) if end is None else end


_DECODER = json.JSONDecoder()
_UNDECODED = object()


class _Braces:
    """Where a `{...}` closes, read incrementally and aware of JSON strings; no decoding."""

    __slots__ = ("depth", "escaped", "in_string")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def scan(self, text: str, start: int) -> int | None:
        """The index after the closing brace, or None if `text[start:]` doesn't close the object yet."""
        depth, in_string, escaped = self.depth, self.in_string, self.escaped
        for index in range(start, len(text)):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    self.depth, self.in_string, self.escaped = depth, in_string, escaped
                    return index + 1
        self.depth, self.in_string, self.escaped = depth, in_string, escaped
        return None


class ReplyScanner:
    """Reads an answer as it streams: `feed()` returns the text safe to show now, `finish()` the rest.

    With tools, text is released up to a `{` or a code fence, which is held until it closes: an
    envelope then becomes calls, anything else is released as text. Whitespace is held until text
    follows it, so an answer of only calls has no content. With a response format and no tools, the
    first JSON object streams as it arrives and the rest is dropped; with both, or when a tool must
    be called, the whole answer is held and read at the end.
    """

    def __init__(self, rules: ReplyRules) -> None:
        self._rules = rules
        if rules.wants_calls:  # text that must be a call is held too, so a stream can still be asked again
            forced = rules.choice.mode in ("required", "function")
            self._mode = "whole" if rules.answer is not None or forced else "text"
        else:
            self._mode = "json" if rules.answer is not None else "plain"
        self._pending = ""  # received, not yet decided
        self._started = False  # past the leading whitespace and <think> blocks
        self._shown: list[str] = []
        self._held_space = ""
        self._calls: list[Any] = []
        self._braces: _Braces | None = None
        self._scanned = 0  # how far into `_pending` the open brace block was scanned
        self._json_done = False
        self._json_parts: list[str] = []
        self._decoded: object = _UNDECODED  # the value of the block `_close` just found whole by the decoder

    def feed(self, piece: str) -> str:
        braces = self._braces
        if braces is not None and self._mode == "text" and "}" not in piece:
            # An open block (perhaps an envelope) only closes at a "}": follow its state, release nothing.
            self._pending += piece
            braces.scan(self._pending, self._scanned)
            self._scanned = len(self._pending)
            return ""
        self._pending += piece
        if not self._started and not self._skip_preamble(final=False):
            return ""
        if self._mode == "whole":
            return ""
        if self._mode == "plain":
            out, self._pending = self._pending, ""
            return self._show(out)
        if self._mode == "json":
            return self._json()
        return self._text(final=False)

    def finish(self) -> tuple[str, Reading]:
        """(the text still to show, the validated message); `ReplyRejected` if the answer breaks the contract."""
        if not self._started:
            self._skip_preamble(final=True)
        rules = self._rules
        if self._mode == "whole":
            return self._whole()
        if self._mode == "json":
            rest = self._json()
            answer = "".join(self._json_parts) if self._json_parts else None
            return rest, rules.checked("", (), answer)
        rest = self._pending if self._mode == "plain" else self._text(final=True)
        self._pending = ""
        rest = self._show(rest) if self._mode == "plain" else rest
        reading = rules.checked("".join(self._shown), self._calls, None)
        return rest, reading

    # -- the preamble: whitespace and <think> blocks before the answer --------------------------

    def _skip_preamble(self, *, final: bool) -> bool:
        while True:
            body = self._pending.lstrip(_WHITESPACE)
            if body.startswith(_THINK_OPEN):
                end = body.find(_THINK_CLOSE)
                if end < 0:
                    self._pending = "" if final else body
                    return False
                self._pending = body[end + len(_THINK_CLOSE) :]
                continue
            if not final and (not body or _THINK_OPEN.startswith(body)):
                self._pending = body
                return False
            self._pending, self._started = body, True
            return True

    # -- tools: text, and the blocks that may be envelopes ---------------------------------------

    def _text(self, *, final: bool) -> str:
        out: list[str] = []
        while self._pending:
            if self._braces is None and not self._pending.startswith(("{", "`")):
                stop = _next_special(self._pending)
                if stop < 0:
                    stop = len(self._pending)
                out.append(self._show(self._pending[:stop]))
                self._pending = self._pending[stop:]
                continue
            taken = self._fence(final=final) if self._pending.startswith("`") else self._block(final=final)
            if taken is None:
                break
            out.append(taken)
        if final:
            out.append(self._show(self._pending))
            self._pending, self._braces = "", None
        return "".join(out)

    def _block(self, *, final: bool) -> str | None:
        """A `{...}` at the start of `_pending`: None while it is open, else what it releases as text."""
        end = self._close(self._pending, 0, final=final)
        if end is None:
            return None
        block, self._pending = self._pending[:end], self._pending[end:]
        return "" if self._took_envelope(block, self._took_decoded()) else self._show(block)

    def _close(self, text: str, start: int, *, final: bool) -> int | None:
        self._decoded = _UNDECODED
        if self._braces is None:
            self._braces, self._scanned = _Braces(), start
            try:  # a complete object is found (and decoded, once) by the decoder at C speed
                self._decoded, end = _DECODER.raw_decode(text, start)
            except _UNDECODABLE:
                end = None
            if end is not None:
                self._braces = None
                return end
        end = self._braces.scan(text, self._scanned)
        self._scanned = len(text)
        if end is not None:
            self._braces = None
        elif final:
            self._braces = None
            return len(text)
        return end

    def _fence(self, *, final: bool) -> str | None:
        """A code fence at the start of `_pending`: dropped when it holds only an envelope, else text."""
        text = self._pending
        if not text.startswith(_FENCE):
            if not final and _FENCE.startswith(text):
                return None
            self._pending = text[1:]
            return self._show("`")
        newline = text.find("\n", len(_FENCE))
        if newline < 0:
            return None if not final else self._release_all()
        start = newline + 1
        while start < len(text) and text[start] in _WHITESPACE:
            start += 1
        if start == len(text):
            return None if not final else self._release_all()
        if text[start] != "{":  # a code block: shown as it is, fence and all
            self._pending = text[start:]
            return self._show(text[:start])
        end = self._close(text, start, final=final)
        if end is None:
            return None
        after = end
        while after < len(text) and text[after] in _WHITESPACE:
            after += 1
        if len(text) - after < len(_FENCE) and not final and _FENCE.startswith(text[after:]):
            return None  # the object is whole; wait for the rest of the closing fence (found again at C speed)
        closed = text.startswith(_FENCE, after)
        block = text[start:end]
        if closed and self._took_envelope(block, self._took_decoded()):
            self._pending = text[after + len(_FENCE) :]
            return ""
        self._pending = text[end:]
        return self._show(text[:end])

    def _release_all(self) -> str:
        out, self._pending = self._pending, ""
        return self._show(out)

    def _took_decoded(self) -> object:
        """The value `_close` decoded for the block it just closed (`_UNDECODED` if it found the end by braces)."""
        decoded, self._decoded = self._decoded, _UNDECODED
        return decoded

    def _took_envelope(self, block: str, decoded: object = None) -> bool:
        if decoded is _UNDECODED:
            try:
                decoded = json.loads(block)
            except _UNDECODABLE:
                return False
        value = decoded
        if not isinstance(value, dict) or CALLS_KEY not in value:
            return False
        calls = value[CALLS_KEY]
        if not isinstance(calls, list):
            raise ReplyRejected(f'"{CALLS_KEY}" must be a list of calls; got {_short(calls)}.')
        self._calls.extend(calls)
        return True

    def _show(self, text: str) -> str:
        """Text to show, with whitespace held until more text follows it (none at the ends of the content)."""
        if not text:
            return ""
        if not text.strip(_WHITESPACE):
            self._held_space += text
            return ""
        stripped = text.rstrip(_WHITESPACE)
        out = self._held_space + stripped if self._shown else stripped.lstrip(_WHITESPACE)
        self._held_space = text[len(stripped) :]
        self._shown.append(out)
        return out

    # -- a response format without tools: the first JSON object, live ---------------------------

    def _json(self) -> str:
        if self._json_done:
            self._pending = ""
            return ""
        if not self._json_parts:
            start = self._pending.find("{")
            if start < 0:
                self._pending = ""
                return ""
            self._pending = self._pending[start:]
            self._braces, self._scanned = _Braces(), 0
        assert self._braces is not None
        end = self._braces.scan(self._pending, self._scanned)
        out = self._pending if end is None else self._pending[:end]
        self._pending, self._scanned = "", 0
        if end is not None:
            self._json_done, self._braces = True, None
        self._json_parts.append(out)
        return out

    # -- tools and a response format: read at the end --------------------------------------------

    def _whole(self) -> tuple[str, Reading]:
        text = self._pending
        self._mode = "text"
        shown = self._text(final=True)
        if self._calls:
            return shown, self._rules.checked("".join(self._shown), self._calls, None)
        start = text.find("{")
        answer = None if start < 0 else text[start : _object_end(text, start)]
        reading = self._rules.checked("", (), answer)
        return reading.content or "", reading


def _next_special(text: str) -> int:
    brace, tick = text.find("{"), text.find("`")
    if brace < 0:
        return tick
    if tick < 0:
        return brace
    return min(brace, tick)
