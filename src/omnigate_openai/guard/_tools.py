"""Which tools an agent may use: allow and deny lists with wildcards, and a default for the rest.

A deny pattern wins over an allow pattern; a name that matches neither gets the default. Checked on
the tools a request offers (before sending) and on the tool calls an answer makes.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any, Literal

__all__ = ["ToolAccess", "offered_tools", "policy_for"]


@dataclasses.dataclass(frozen=True)
class ToolAccess:
    """`ToolAccess(allow=["search_*"], deny=["search_private"], default="deny")`: shell-style wildcards."""

    allow: Sequence[str] = ()
    deny: Sequence[str] = ()
    default: Literal["allow", "deny"] = "allow"

    def __post_init__(self) -> None:
        if self.default not in ("allow", "deny"):
            raise ValueError(f"Expected ToolAccess(default='allow' or 'deny'), got {self.default!r}")
        for name in ("allow", "deny"):
            patterns = getattr(self, name)
            if isinstance(patterns, str) or not all(isinstance(item, str) for item in patterns):
                raise TypeError(f"Expected ToolAccess({name}=...) to be a list of name patterns, got {patterns!r}")
            object.__setattr__(self, name, tuple(patterns))

    def allows(self, tool: str) -> bool:
        if any(fnmatch.fnmatchcase(tool, pattern) for pattern in self.deny):
            return False
        if any(fnmatch.fnmatchcase(tool, pattern) for pattern in self.allow):
            return True
        return self.default == "allow"


def policy_for(access: ToolAccess | Mapping[str, ToolAccess] | None, agent_id: str | None) -> ToolAccess | None:
    """The policy of `agent_id`: one for everyone, or per agent id with `"*"` for the others."""
    if access is None or isinstance(access, ToolAccess):
        return access
    return access.get(agent_id or "*") or access.get("*")


def offered_tools(body: Mapping[str, Any]) -> list[str]:
    """The names of the tools (function and custom ones, and legacy functions) a chat request offers."""
    names = []
    for tool in body.get("tools") or ():
        function = tool.get("function") or tool.get("custom") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names.append(function["name"])
    for function in body.get("functions") or ():
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names.append(function["name"])
    return names
