"""A message's `name` said in its text, because OmniGate drops it: the model still knows who spoke.

OpenAI shows the model each message's `name` beside its text, to tell apart participants of the
same role; OmniGate keeps only role and content, on both chat routes and for every provider.
AutoGen names every message by its source, so a group chat would reach the model as one anonymous
user. The name becomes the text's first line, `alice said:` (the prefix AutoGen itself writes for
models without `name`), and `meta().emulated` says `message_names`.

An assistant's own turns are not rewritten: a model shown its past answers opening with a name
opens its next answer with one. Their `name` is refused like the other dropped fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["SPOKEN_NAMES", "names_spoken", "speaker", "with_speaker"]

SPOKEN_NAMES = "message_names"
"""What `meta().emulated` names when a message's `name` was said in its text."""


def speaker(message: Mapping[str, Any]) -> str | None:
    """The name to say in `message`'s text: set, and not on an assistant's turn; else None."""
    name = message.get("name")
    if not isinstance(name, str) or not name or message.get("role") == "assistant":
        return None
    return name


def with_speaker(message: Mapping[str, Any], text: str | None) -> dict[str, Any]:
    """`message` without `name`, its text (`content` as a string) opening with who said it.

    A text that already opens so (AutoGen's `add_name_prefixes`) is kept as it is.
    """
    name = message["name"]
    said = f"{name} said:\n"
    kept = {key: value for key, value in message.items() if key != "name"}
    text = text or ""
    return {**kept, "content": text if text.startswith(said) else said + text}


def names_spoken(messages: object) -> bool:
    """Whether any of `messages` has its `name` said in its text: the call's metadata says so."""
    if not isinstance(messages, Iterable) or isinstance(messages, (str, bytes, Mapping)):
        return False
    return any(isinstance(message, Mapping) and speaker(message) is not None for message in messages)
