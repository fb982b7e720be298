"""instructor: structured output through the gateway, in any of instructor's modes.

`instructor.from_openai` defaults to `Mode.TOOLS`, which sends `tools`; the JSON modes send
`response_format`. The OmniGate client serves both by prompt and the Flow gateway natively, so
every mode works, partial streaming included. `from_client` checks the client and keeps instructor's own default; with a
client built with `emulate_tools=False` only `Mode.MD_JSON` (the schema in the prompt) can work, so
any other mode is refused before a call is made. Needs openai<3 (instructor 1.x).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

import openai

from .._client import AsyncOpenAI, OpenAI
from .._emulation import tools_refused
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
    """`instructor.from_openai(client, mode=mode)` (instructor's default mode when None).

    Other keywords are `from_openai`'s.
    """
    import instructor

    checked: OpenAI | AsyncOpenAI = (
        gateway_client(client, AsyncOpenAI)
        if isinstance(client, openai.AsyncOpenAI)
        else gateway_client(client, OpenAI)
    )
    chosen = instructor.Mode.TOOLS if mode is None else mode
    if tools_refused(checked._settings) and chosen is not instructor.Mode.MD_JSON:
        raise UnsupportedFeatureError(
            f"instructor's {chosen} sends fields OmniGate drops (`tools` or `response_format`) and this client "
            "was built with emulate_tools=False; use Mode.MD_JSON, which asks for JSON in the prompt",
            field="mode",
        )
    return instructor.from_openai(checked, mode=chosen, **kwargs)  # type: ignore[call-overload,no-any-return,unused-ignore]
