"""Reading OmniGate's two stream dialects without I/O: SSE end marker and error frame, the native text sentinel.

After HTTP 200 the compat route reports a provider failure as a data frame `{"error": {...}}`
followed by `[DONE]`, and it always ends a healthy stream with `[DONE]`: a stream that stops
without it was cut. The native route's plain-text stream has no framing at all: a failure is the
text `"\n[error] "` and a message that runs to the end of the body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["NATIVE_ERROR_SENTINEL", "SentinelScanner", "is_end_marker", "stream_failure"]


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


NATIVE_ERROR_SENTINEL = "\n[error] "
"""What the native `/v1/chat` stream writes before the message of a failure that happened mid-stream."""


class SentinelScanner:
    """Finds OmniGate's in-band `"\\n[error] "` marker in a plain-text stream, even split across reads.

    The native stream is the provider's text, then (on failure) the marker and a message that runs
    to the end of the body, newlines included. So text is released only once it cannot be the start
    of the marker, and the message is complete only at `finish()`. No I/O: the sync and async native
    streams both drive this one decoder. (Model output containing the marker is indistinguishable
    from a failure; the gateway's own SDK has the same limitation.)
    """

    def __init__(self) -> None:
        self._held = ""
        self._message: list[str] | None = None

    def feed(self, text: str) -> tuple[str, str | None]:
        """(text safe to emit now, the error message so far once the marker was seen, else None).

        A non-None message says the stream failed; its full text is known only at `finish()`.
        """
        if self._message is not None:
            self._message.append(text)
            return "", "".join(self._message)
        buffered = self._held + text
        found = buffered.find(NATIVE_ERROR_SENTINEL)
        if found >= 0:
            self._held = ""
            self._message = [buffered[found + len(NATIVE_ERROR_SENTINEL) :]]
            return buffered[:found], "".join(self._message)
        keep = _partial_marker_length(buffered)
        self._held = buffered[len(buffered) - keep :] if keep else ""
        return buffered[: len(buffered) - keep], None

    def finish(self) -> tuple[str, str | None]:
        """At the end of the body: (text still held back, the complete error message or None)."""
        held, self._held = self._held, ""
        if self._message is None:
            return held, None
        return held, "".join(self._message).strip()


def _partial_marker_length(text: str) -> int:
    """The length of the longest end of `text` that is a proper start of the marker.

    The marker's only newline is its first character, so such an end starts at the last newline
    among the final few characters: one search instead of a slice per candidate length.
    """
    start = text.rfind("\n", max(0, len(text) - len(NATIVE_ERROR_SENTINEL) + 1))
    if start < 0:
        return 0
    tail = text[start:]
    return len(tail) if NATIVE_ERROR_SENTINEL.startswith(tail) else 0
