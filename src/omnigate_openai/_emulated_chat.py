"""`client.chat`: the SDK's chat resource, whose `completions.create` hands plain tools over untouched.

See `_verbatim.py` for why and how. The client imports this module the first time `client.chat` is
read, as plain openai imports its own chat resource: `import omnigate_openai` does not pay for it.
"""

from __future__ import annotations

from typing import Any

from openai.resources.chat import AsyncChat, AsyncCompletions, Chat, Completions
from typing_extensions import override

from ._config import Settings
from ._sdk import cached_property
from ._verbatim import held_tools

__all__ = ["EmulatingAsyncChat", "EmulatingChat"]


class _EmulatingCompletions(Completions):
    @override
    def create(self, **kwargs: Any) -> Any:
        settings: Settings = self._client._settings  # type: ignore[attr-defined]
        return super().create(**held_tools(kwargs, settings))


class _EmulatingAsyncCompletions(AsyncCompletions):
    @override
    async def create(self, **kwargs: Any) -> Any:
        settings: Settings = self._client._settings  # type: ignore[attr-defined]
        return await super().create(**held_tools(kwargs, settings))


class EmulatingChat(Chat):
    """The SDK's `Chat`, whose `completions.create` keeps plain tools away from the SDK's transform."""

    @cached_property
    @override
    def completions(self) -> Completions:
        return _EmulatingCompletions(self._client)


class EmulatingAsyncChat(AsyncChat):
    """The SDK's `AsyncChat`, whose `completions.create` keeps plain tools away from the SDK's transform."""

    @cached_property
    @override
    def completions(self) -> AsyncCompletions:
        return _EmulatingAsyncCompletions(self._client)
