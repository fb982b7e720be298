"""TranslatedResponse: `responses.with_raw_response` / `with_streaming_response` over the gateway's chat call.

There is no `/v1/responses` answer to hand back, but there is the gateway's HTTP answer to the chat
call that served the request. The wrappers return that raw response (its headers, status, request
id and `meta()` are the gateway's), with `.parse()` giving what `responses.create` would have: the
`Response`, or the stream of Responses events. openai-agents streams through this path.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["TranslatedResponse"]


class TranslatedResponse:
    """The SDK's raw response of the chat call, whose `.parse()` is translated to the Responses object."""

    def __init__(self, raw: Any, translate: Callable[[Any], Any]) -> None:
        self._raw = raw
        self._translate = translate
        self.http_response = raw.http_response
        """The gateway's HTTP answer to the chat call (`meta()` reads its headers)."""
        self._parsed: list[Any] = []
        """The translation, once made: parsing again returns it, as the SDK's raw responses do (one `Response`,
        one id, one stored entry; one event stream)."""

    def parse(self, **kwargs: Any) -> Any:
        """The `Response` (or event stream); awaitable where the SDK's own `parse` is (async streamed responses)."""
        if kwargs:
            raise TypeError(f"parse() of a translated Responses answer takes no arguments, got {sorted(kwargs)}")
        parsed = self._raw.parse()
        if inspect.isawaitable(parsed):
            return self._translated_later(parsed)
        return self._translated(parsed)

    async def _translated_later(self, parsed: Any) -> Any:
        return self._translated(await parsed)

    def _translated(self, parsed: Any) -> Any:
        if not self._parsed:
            self._parsed.append(self._translate(parsed))
        return self._parsed[0]

    def __getattr__(self, name: str) -> Any:
        # headers, status_code, request_id, close(), iter_bytes(), ...: the chat call's raw response as is
        return getattr(self._raw, name)

    def __repr__(self) -> str:
        return f"<TranslatedResponse of {self._raw!r}>"
