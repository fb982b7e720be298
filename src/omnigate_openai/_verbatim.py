"""Tools the emulation will take out of a call's body, kept away from the SDK's argument transform.

`chat.completions.create` runs every argument through the SDK's pure-Python transform (TypedDict
aliases, formats) before the client sees the request. For `tools` and `functions` that walk costs
more than the whole emulation: about a quarter of a millisecond for five tools, spent on values the
emulation then removes from the body and restates in the prompt. When this client emulates tools
and the value is plain JSON data (lists, dicts, strings, numbers: what `json.dumps` accepts), the
transform would return it unchanged anyway (`tests/test_emulated_chat.py` holds the SDK to that),
so it is wrapped in `Verbatim`, which the transform passes through, and unwrapped by the client's
`request` before anything reads the body. Anything else (pydantic models, generators, `omit`
inside) takes the SDK's transform as before. The JSON text that check produced comes along: the
emulation keeps the tools it reads under it (`_tool_prompt.tools_of`), so five tools are read once,
and a tool changed between two calls is a new text, read anew.
"""

from __future__ import annotations

import json
from typing import Any

from ._config import Settings
from ._emulation import emulation_wanted
from ._sdk import FinalRequestOptions

__all__ = ["Verbatim", "held_tools", "unwrapped"]

_FIELDS = ("tools", "functions")


class Verbatim:
    """A plain JSON value the SDK's transform passes through as it is (it is neither a mapping nor iterable)."""

    __slots__ = ("text", "value")

    def __init__(self, value: object, text: str) -> None:
        self.value = value
        self.text = text
        """`json.dumps(value)`: the key under which the emulation keeps the tools it read from it."""

    def __repr__(self) -> str:
        return f"Verbatim({self.value!r})"


def held_tools(kwargs: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """`kwargs` with plain-JSON `tools` / `functions` wrapped, when this client emulates tools; else as given."""
    if not (kwargs.get("tools") or kwargs.get("functions")) or not emulation_wanted(settings):
        return kwargs
    held = dict(kwargs)
    for field in _FIELDS:
        value = held.get(field)
        text = _plain_json(value) if isinstance(value, (list, tuple)) and value else None
        if text is not None:
            held[field] = Verbatim(value, text)
    return held


def _plain_json(value: object) -> str | None:
    try:  # at C speed: refuses anything the transform could have turned into something else
        return json.dumps(value)
    except (TypeError, ValueError):
        return None


def unwrapped(options: FinalRequestOptions) -> tuple[FinalRequestOptions, dict[str, str]]:
    """`options` with any `Verbatim` field of its body back to its value, and the JSON texts of those fields.

    The client's `request` calls this first, so nothing after it sees a `Verbatim`.
    """
    body = options.json_data
    if not isinstance(body, dict) or not any(isinstance(body.get(field), Verbatim) for field in _FIELDS):
        return options, {}
    texts = {key: value.text for key, value in body.items() if isinstance(value, Verbatim)}
    options.json_data = {key: value.value if isinstance(value, Verbatim) else value for key, value in body.items()}
    return options, texts
