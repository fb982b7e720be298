"""instructor: structured output through the gateway, in the one mode that works by prompting alone.

`instructor.from_openai` defaults to `Mode.TOOLS`, which sends `tools`; the JSON modes send
`response_format`. OmniGate drops both, so the client refuses them, and instructor reports that as
an `InstructorRetryException` after its retries (in partial streaming, TOOLS quietly yields `None`
against servers that drop the field). `Mode.MD_JSON` puts the schema in the prompt and parses the
answer's JSON, so it works. `from_client` uses it, and refuses any other mode before a call is made.
Needs openai<3 (instructor 1.x).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import openai

from .._client import AsyncOpenAI, OpenAI
from .._exceptions import UnsupportedFeatureError
from ._clients import gateway_client

if TYPE_CHECKING:
    from instructor import AsyncInstructor, Instructor, Mode  # type: ignore[import-not-found,unused-ignore]

__all__ = ["from_client"]


@overload
def from_client(client: OpenAI, mode: Mode | None = None, **kwargs: Any) -> Instructor: ...
@overload
def from_client(client: AsyncOpenAI, mode: Mode | None = None, **kwargs: Any) -> AsyncInstructor: ...
def from_client(client: OpenAI | AsyncOpenAI, mode: Mode | None = None, **kwargs: Any) -> Instructor | AsyncInstructor:
    """`instructor.from_openai(client, mode=Mode.MD_JSON)`; `UnsupportedFeatureError` for any other mode.

    Other keywords are `from_openai`'s.
    """
    import instructor

    chosen = instructor.Mode.MD_JSON if mode is None else mode
    if chosen is not instructor.Mode.MD_JSON:
        raise UnsupportedFeatureError(
            f"instructor's {chosen} sends fields OmniGate drops (`tools` or `response_format`); "
            "use Mode.MD_JSON, which asks for JSON in the prompt",
            field="mode",
        )
    if isinstance(client, openai.AsyncOpenAI):
        return instructor.from_openai(gateway_client(client, AsyncOpenAI), mode=chosen, **kwargs)
    return instructor.from_openai(gateway_client(client, OpenAI), mode=chosen, **kwargs)
