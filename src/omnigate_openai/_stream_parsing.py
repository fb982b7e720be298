"""Reading OmniGate's SSE stream, without I/O: the end marker and the in-band error frame.

After HTTP 200 the gateway reports a provider failure as a data frame `{"error": {...}}`
followed by `[DONE]`, and it always ends a healthy stream with `[DONE]`: a stream that stops
without it was cut.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["is_end_marker", "stream_failure"]


def is_end_marker(data: str) -> bool:
    return data.startswith("[DONE]")


def stream_failure(frame: Any) -> Mapping[str, Any] | None:
    """The error object of an in-band failure frame, or None for an ordinary chunk."""
    if isinstance(frame, Mapping):
        error = frame.get("error")
        if isinstance(error, Mapping):
            return error
        if error:  # a bare string or other truthy value: still a failure, never a chunk
            return {"message": str(error)}
    return None
