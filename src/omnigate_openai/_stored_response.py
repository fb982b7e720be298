"""StoredResponse: one entry of a response store, a `Response` and the conversation it ends.

Apart from the store (`_response_store.py`), which every client holds: this dataclass (a millisecond to
define) loads with the Responses API's first call, or `omnigate_openai.StoredResponse`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from openai.types.responses import Response

__all__ = ["StoredResponse"]


@dataclasses.dataclass(frozen=True)
class StoredResponse:
    """One response and the conversation it ends, as `previous_response_id` continues it."""

    response: Response
    messages: tuple[dict[str, Any], ...]
    """The chat messages of the conversation up to and including this answer, without `instructions`
    (a response's instructions do not carry over to the next one, as on OpenAI)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form, for stores that keep entries outside the process."""
        return {"response": self.response.to_dict(), "messages": list(self.messages)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredResponse:
        return cls(Response.model_validate(data["response"]), tuple(data["messages"]))


StoredResponse.__module__ = "omnigate_openai"  # its public name (the package root loads it on first use)
