"""A chat answer as the Responses API's `Response`: output items, status, usage, and the request's echo.

Written once for both ways an answer arrives: a whole `ChatCompletion`, or the pieces a stream of
chunks added up to (`_responses_events.py`), so that a streamed call and a plain one end in the same
`Response`. The objects are validated against the SDK's own models, so a shape error here fails loudly.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from typing import Any

from openai.types.chat import ChatCompletion
from openai.types.responses import Response
from openai.types.responses.response_usage import InputTokensDetails

from ._meta import GatewayMeta
from ._responses_request import ChatPlan, chat_tool_calls
from ._stored_response import StoredResponse

__all__ = ["Answer", "FunctionCall", "emulated_meta", "new_id", "response_of", "stored_response"]

_CACHE_WRITES = {"cache_write_tokens": 0} if "cache_write_tokens" in InputTokensDetails.model_fields else {}
"""openai 3.x's usage also counts tokens written to a prompt cache (none through the gateway); 2.x has no such field."""

_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}
"""Chat finish reasons that end a response as `incomplete`, with OpenAI's reason for each."""


def new_id(prefix: str) -> str:
    """An id in OpenAI's style: `resp_`, `msg_` or `fc_` and 48 hex digits."""
    return prefix + uuid.uuid4().hex + uuid.uuid4().hex[:16]


@dataclasses.dataclass
class FunctionCall:
    """One tool call of the answer, as a Responses `function_call` item."""

    item_id: str
    call_id: str
    name: str
    arguments: str = ""

    def item(self, *, done: bool = True) -> dict[str, Any]:
        """The item when done, or as a stream first announces it (no arguments yet)."""
        return {
            "id": self.item_id,
            "type": "function_call",
            "status": "completed" if done else "in_progress",
            "call_id": self.call_id,
            "name": self.name,
            "arguments": self.arguments if done else "",
        }


@dataclasses.dataclass
class Answer:
    """What a chat answer said, in the order the Responses output lists it."""

    message_id: str | None = None
    """The id of the output message; None when the answer had no text."""
    text: str = ""
    calls: list[FunctionCall] = dataclasses.field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    model: str | None = None

    @classmethod
    def of_completion(cls, completion: ChatCompletion) -> Answer:
        choice = completion.choices[0] if completion.choices else None
        message = choice.message if choice is not None else None
        text = (message.content or "") if message is not None else ""
        calls = [
            FunctionCall(new_id("fc_"), call.id, call.function.name, call.function.arguments)
            for call in (message.tool_calls or [] if message is not None else [])
            if call.type == "function"
        ]
        return cls(
            message_id=new_id("msg_") if text or not calls else None,
            text=text,
            calls=calls,
            finish_reason=choice.finish_reason if choice is not None else None,
            usage=completion.usage.to_dict() if completion.usage is not None else None,
            model=completion.model,
        )

    @property
    def incomplete_reason(self) -> str | None:
        return _INCOMPLETE.get(self.finish_reason or "")

    def message_item(self, *, done: bool = True) -> dict[str, Any]:
        """The output message when done (cut short: `incomplete`), or as a stream first announces it."""
        return {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "status": ("incomplete" if self.incomplete_reason else "completed") if done else "in_progress",
            "content": [text_part(self.text)] if done else [],
        }

    def output(self) -> list[dict[str, Any]]:
        items = [self.message_item()] if self.message_id is not None else []
        return items + [call.item() for call in self.calls]


def text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def response_of(
    plan: ChatPlan,
    *,
    response_id: str,
    created_at: float,
    answer: Answer | None,
    model: str,
) -> Response:
    """The `Response`: in progress while `answer` is None (a stream's first events), else finished."""
    data: dict[str, Any] = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "model": model,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "output": [],
        "usage": None,
        **plan.echo,
    }
    if answer is not None:
        reason = answer.incomplete_reason
        data.update(
            model=answer.model or model,
            status="incomplete" if reason else "completed",
            incomplete_details={"reason": reason} if reason else None,
            output=answer.output(),
            usage=_usage(answer.usage),
            completed_at=None if reason else time.time(),
        )
    return Response.model_validate(data)  # well-formed by construction; validating is cheaper than `construct_type`


def _usage(usage: dict[str, Any] | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    prompt, completion = int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
    reasoning = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached, **_CACHE_WRITES},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }


def stored_response(plan: ChatPlan, response: Response) -> StoredResponse:
    """The response and the conversation it ends, as a later `previous_response_id` continues it."""
    items: list[dict[str, Any]] = [item.to_dict() for item in response.output]
    texts = [part["text"] for item in items if item["type"] == "message" for part in item["content"] if "text" in part]
    reply: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    calls = chat_tool_calls(items)
    if calls:
        reply["tool_calls"] = calls
    return StoredResponse(response, (*plan.history, reply))


def emulated_meta(chat: GatewayMeta) -> GatewayMeta:
    """The chat call's metadata, saying that the Responses API was served by the client (`emulated`)."""
    return chat.replace(emulated=(*chat.emulated, "responses"))
