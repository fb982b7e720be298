"""A message's `name` said in its text where it tells speakers apart, because OmniGate drops it.

OpenAI shows the model each message's `name` beside its text, to tell apart participants of the
same role; OmniGate keeps only role and content, on both chat routes and for every provider.
AutoGen names every message by its source, so a group chat would reach the model as one anonymous
user; a LangGraph supervisor's agents share one history of assistant turns, each named by its agent.

So, per role (`system` and `developer` as one: the gateway turns developer into system), the
speakers are the distinct names its messages carry. Where a role has two or more, each named
message's text opens with `alice said:` (the prefix AutoGen itself writes for models without
`name`), and `meta().emulated` says `message_names`. Where it has one (one named agent, a chat's
lone user), nothing is told apart and nothing is lost: the name is left out and the text sent as
it is. Unnamed messages do not count: tool emulation adds some of its own (tool results, a re-ask),
and a call must not read its names one way on its first attempt and another on its second.

That includes an assistant's own turns, and a model shown its past answers opening with a name may
open its next answer the same way. Refusing them instead would fail every named LangGraph agent,
and sending them nameless would merge a team's agents into one speaker: a stray prefix in an answer
costs less than a history the model reads wrong, or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["SPOKEN_NAMES", "names_spoken", "roles_told_apart", "speaker", "with_speaker", "without_name"]

SPOKEN_NAMES = "message_names"
"""What `meta().emulated` names when a message's `name` was said in its text."""

_SAME_ROLE = {"developer": "system"}
"""Roles the gateway merges: their speakers are counted together."""


def roles_told_apart(messages: object) -> frozenset[str | None]:
    """The roles of `messages` whose messages carry two or more distinct names: there, the names are said."""
    if not isinstance(messages, Iterable) or isinstance(messages, (str, bytes, Mapping)):
        return frozenset()
    speakers: dict[str | None, set[str]] = {}
    for message in messages:
        if isinstance(message, Mapping) and (name := _name(message)) is not None:
            speakers.setdefault(_role(message), set()).add(name)
    return frozenset(role for role, names in speakers.items() if len(names) > 1)


def names_spoken(messages: object) -> bool:
    """Whether any of `messages` has its `name` said in its text: the call's metadata says so."""
    return bool(roles_told_apart(messages))


def speaker(message: Mapping[str, Any], told_apart: frozenset[str | None]) -> str | None:
    """The name to say in `message`'s text: set, on a role whose speakers are `told_apart`; else None."""
    return _name(message) if _role(message) in told_apart else None


def with_speaker(message: Mapping[str, Any], text: object) -> dict[str, Any]:
    """`message` without `name`, its text (`content` as a string) opening with who said it.

    A text that already opens so (AutoGen's `add_name_prefixes`) is kept as it is. A content that is not
    text is left as it is, for the gateway (or the native route) to refuse as it would without a name.
    """
    if text is not None and not isinstance(text, str):
        return without_name(message)
    said = f"{message['name']} said:\n"
    text = text or ""
    return {**without_name(message), "content": text if text.startswith(said) else said + text}


def without_name(message: Mapping[str, Any]) -> dict[str, Any]:
    """`message` as the gateway reads it: its `name` left out."""
    return {key: value for key, value in message.items() if key != "name"}


def _role(message: Mapping[str, Any]) -> str | None:
    role = message.get("role")
    return _SAME_ROLE.get(role, role) if isinstance(role, str) else None


def _name(message: Mapping[str, Any]) -> str | None:
    name = message.get("name")
    return name if isinstance(name, str) and name else None
