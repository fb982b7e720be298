"""A chat stream's chunks as the Responses API's event sequence, with OpenAI's shapes and sequence numbers.

`response.created`, `response.in_progress`, then per output item `response.output_item.added`, its
deltas (`response.content_part.added` + `response.output_text.delta`, or
`response.function_call_arguments.delta`), its `.done` events and `response.output_item.done`; last
`response.completed` (or `response.incomplete` when cut short) carrying the same `Response` a
non-streamed call returns. Pure: the stream classes (`_responses_stream.py`) feed it chunks.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, cast, get_args, get_origin

from openai.types.chat import ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import BaseModel

from ._responses_output import Answer, FunctionCall, new_id, response_of, text_part
from ._responses_request import ChatPlan

__all__ = ["ResponseEvents"]


def _event_classes() -> dict[str, type[BaseModel]]:
    """The SDK's event class for each `type`: validating one class is ~50x cheaper than resolving the union."""
    union = get_args(ResponseStreamEvent)[0] if get_origin(ResponseStreamEvent) is Annotated else ResponseStreamEvent
    return {get_args(cls.model_fields["type"].annotation)[0]: cls for cls in get_args(union)}


_EVENT_CLASSES = _event_classes()


class ResponseEvents:
    """The events of one streamed response, built chunk by chunk."""

    def __init__(self, plan: ChatPlan) -> None:
        self.plan = plan
        self.response_id = new_id("resp_")
        self.created_at = time.time()
        self.answer = Answer()
        self.response: Response | None = None
        """The finished `Response`, once `finish()` has run."""
        self._sequence = 0
        self._items = 0
        self._index = 0
        """The output index of the item now open."""
        self._open: FunctionCall | Answer | None = None
        self._calls: dict[int, FunctionCall] = {}

    def start(self) -> list[ResponseStreamEvent]:
        """`response.created` and `response.in_progress`: sent before the gateway's first chunk is read."""
        pending = self._snapshot(None)
        return [
            self._event("response.created", response=pending),
            self._event("response.in_progress", response=pending),
        ]

    def feed(self, chunk: ChatCompletionChunk) -> list[ResponseStreamEvent]:
        events: list[ResponseStreamEvent] = []
        if chunk.usage is not None:
            self.answer.usage = chunk.usage.to_dict()
        if chunk.model:
            self.answer.model = chunk.model
        for choice in chunk.choices[:1]:
            if choice.delta.content:
                if self._open is not self.answer:
                    events += self._close() + self._open_message()
                self.answer.text += choice.delta.content
                events.append(self._text_event("response.output_text.delta", delta=choice.delta.content))
            for delta in choice.delta.tool_calls or []:
                call = self._calls.get(delta.index)
                if call is None:
                    function = delta.function
                    call = FunctionCall(new_id("fc_"), delta.id or new_id("call_"), (function and function.name) or "")
                    events += self._close() + self._open_call(delta.index, call)
                arguments = delta.function.arguments if delta.function is not None else None
                if arguments:
                    call.arguments += arguments
                    events.append(self._call_event("response.function_call_arguments.delta", call, delta=arguments))
            if choice.finish_reason is not None:
                self.answer.finish_reason = choice.finish_reason
        return events

    def finish(self) -> list[ResponseStreamEvent]:
        """The closing events, once the chat stream has ended; `self.response` is then set."""
        events = self._open_message() if self._items == 0 else []  # an empty answer is still one message
        events += self._close()
        self.response = self._snapshot(self.answer)
        kind = "response.incomplete" if self.response.status == "incomplete" else "response.completed"
        return [*events, self._event(kind, response=self.response)]

    def _snapshot(self, answer: Answer | None) -> Response:
        model = str(self.plan.chat["model"])
        return response_of(
            self.plan, response_id=self.response_id, created_at=self.created_at, answer=answer, model=model
        )

    def _open_message(self) -> list[ResponseStreamEvent]:
        self.answer.message_id = new_id("msg_")
        self._open, self._index = self.answer, self._items
        self._items += 1
        item = self.answer.message_item(done=False)
        return [
            self._event("response.output_item.added", output_index=self._index, item=item),
            self._text_event("response.content_part.added", part=text_part("")),
        ]

    def _open_call(self, index: int, call: FunctionCall) -> list[ResponseStreamEvent]:
        self._calls[index] = call
        self.answer.calls.append(call)
        self._open, self._index = call, self._items
        self._items += 1
        return [self._event("response.output_item.added", output_index=self._index, item=call.item(done=False))]

    def _close(self) -> list[ResponseStreamEvent]:
        opened, self._open = self._open, None
        if isinstance(opened, Answer):
            text = opened.text
            return [
                self._text_event("response.output_text.done", text=text),
                self._text_event("response.content_part.done", part=text_part(text)),
                self._event("response.output_item.done", output_index=self._index, item=opened.message_item()),
            ]
        if isinstance(opened, FunctionCall):
            done = self._call_event("response.function_call_arguments.done", opened, arguments=opened.arguments)
            return [done, self._event("response.output_item.done", output_index=self._index, item=opened.item())]
        return []

    def _text_event(self, kind: str, **fields: Any) -> ResponseStreamEvent:
        extra: dict[str, Any] = (
            {"logprobs": []} if kind in ("response.output_text.delta", "response.output_text.done") else {}
        )
        message_id = self.answer.message_id
        return self._event(kind, item_id=message_id, output_index=self._index, content_index=0, **extra, **fields)

    def _call_event(self, kind: str, call: FunctionCall, **fields: Any) -> ResponseStreamEvent:
        name: dict[str, Any] = {"name": call.name} if kind.endswith(".done") else {}
        return self._event(kind, item_id=call.item_id, output_index=self._index, **name, **fields)

    def _event(self, kind: str, *, response: Response | None = None, **fields: Any) -> ResponseStreamEvent:
        value = {"type": kind, "sequence_number": self._sequence, **fields}
        if response is not None:
            value["response"] = response  # kept as it is: the very object the caller gets, with its metadata
        self._sequence += 1
        return cast(ResponseStreamEvent, _EVENT_CLASSES[kind].model_validate(value))
