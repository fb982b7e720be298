"""Where the Responses API's conversation state lives: the gateway keeps none, so the client does.

`previous_response_id`, `responses.retrieve` and `responses.delete` are served from a store of the
responses this client (and its copies) created. The default is a bounded in-process LRU; anything
with the three methods of `ResponseStore` can stand in for it (a Redis-backed one, say), because a
stored entry is plain JSON: the `Response` as the caller saw it, and the chat messages it continues
(`_stored_response.py`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ._stored_response import StoredResponse

__all__ = ["DEFAULT_MAX_RESPONSES", "MemoryResponseStore", "ResponseStore"]

DEFAULT_MAX_RESPONSES = 1000
"""How many responses the default store keeps before it forgets the least recently used."""


class ResponseStore(Protocol):
    """What the Responses emulation needs of a store. Implementations must be safe across threads."""

    def get(self, response_id: str) -> StoredResponse | None:
        """The stored response, or None if this store never had it (or has forgotten it)."""
        ...

    def put(self, stored: StoredResponse) -> None:
        """Keep `stored` under `stored.response.id`."""
        ...

    def delete(self, response_id: str) -> bool:
        """Forget a response; False if it was not there."""
        ...


class MemoryResponseStore:
    """The default store: the last `max_responses` responses, in this process, least recently used first out."""

    def __init__(self, *, max_responses: int = DEFAULT_MAX_RESPONSES) -> None:
        if not isinstance(max_responses, int) or isinstance(max_responses, bool) or max_responses < 1:
            raise ValueError(f"Expected `max_responses` to be a positive int, got {max_responses!r}")
        self.max_responses = max_responses
        self._entries: OrderedDict[str, StoredResponse] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, response_id: str) -> StoredResponse | None:
        with self._lock:
            found = self._entries.get(response_id)
            if found is not None:
                self._entries.move_to_end(response_id)
            return found

    def put(self, stored: StoredResponse) -> None:
        with self._lock:
            self._entries[stored.response.id] = stored
            self._entries.move_to_end(stored.response.id)
            while len(self._entries) > self.max_responses:
                self._entries.popitem(last=False)

    def delete(self, response_id: str) -> bool:
        with self._lock:
            return self._entries.pop(response_id, None) is not None

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"MemoryResponseStore(max_responses={self.max_responses}, held={len(self)})"
