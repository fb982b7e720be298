"""`verbosity` said in words: the one line of the system message that serves it where the gateway can't.

OpenAI's `verbosity` (chat completions) and `text.verbosity` (Responses) ask a model for a shorter or
longer answer. OmniGate drops the field, and LiteLLM (the Flow gateway) refuses it for every model
but the GPT-5 family. Where the gateway profile says so for the model (`emulates_verbosity_for`),
both APIs of this client serve it the same way: the field is taken out of the request, and the
system message says it. `medium` is the models' default: it adds nothing.
"""

from __future__ import annotations

__all__ = ["verbosity_line"]

_LINES: dict[str, str] = {
    "low": "Keep the answer as short as the question allows.",
    "medium": "",
    "high": "Give a thorough, detailed answer.",
}


def verbosity_line(verbosity: object, *, field: str) -> str:
    """The system-message line that asks for `verbosity` ("" for none or `medium`); a ValueError naming `field`
    for a value OpenAI does not define, before anything is sent."""
    if verbosity is None:
        return ""
    if not isinstance(verbosity, str) or verbosity not in _LINES:
        raise ValueError(f"Expected `{field}` to be one of {sorted(_LINES)}, got {verbosity!r}")
    return _LINES[verbosity]
