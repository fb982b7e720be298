"""`client.responses` over the local gateway: the same conversation as a chat call, streams, state, failures."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import openai
import pydantic
import pytest
from openai.types.responses import Response, ResponseStreamEvent

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway

MODEL = "gpt-4o-mini"
REPLY = "Hello there! How can I help?"
CHAT = "/v1/chat/completions"
INSTRUCTIONS = "Answer briefly."
EVENTS = pydantic.TypeAdapter(ResponseStreamEvent)


def _same_as_chat(response: Response, completion: Any) -> None:
    """What a Responses answer and the chat answer to the same conversation must agree on."""
    assert isinstance(response, Response)
    assert response.output_text == completion.choices[0].message.content == REPLY
    assert response.status == "completed"
    assert response.usage is not None
    assert completion.usage is not None
    usage = response.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (
        completion.usage.prompt_tokens,
        completion.usage.completion_tokens,
        completion.usage.total_tokens,
    )
    mine, theirs = og.meta(response), og.meta(completion)
    assert mine.cost_usd is not None
    assert (mine.cost_usd, mine.provider, mine.model) == (theirs.cost_usd, theirs.provider, theirs.model)
    assert mine.emulated == (*theirs.emulated, "responses")
    Response.model_validate(response.to_dict())  # a genuine Response: every required field, OpenAI's shapes


def _chat_messages() -> list[dict[str, str]]:
    return [{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": "Say hello."}]


def test_create_answers_like_the_chat_call(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    response = client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input="Say hello.")
    completion = client.chat.completions.create(model=MODEL, messages=_chat_messages())  # type: ignore[arg-type]
    _same_as_chat(response, completion)
    sent_by_responses, sent_by_chat = (call.json for call in local_gateway.calls.to(CHAT))
    assert sent_by_responses == sent_by_chat
    assert response.id.startswith("resp_")
    message = response.output[0]
    assert message.type == "message"
    assert message.id.startswith("msg_")
    assert message.status == "completed"
    assert response.instructions == INSTRUCTIONS
    assert response.model == completion.model == "gpt-4o-mini-2024-07-18"


async def test_async_create_answers_like_the_chat_call(async_client: og.AsyncOpenAI) -> None:
    response = await async_client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input="Say hello.")
    completion = await async_client.chat.completions.create(model=MODEL, messages=_chat_messages())  # type: ignore[arg-type]
    _same_as_chat(response, completion)


def test_input_items_become_chat_messages(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    client.responses.create(
        model=MODEL,
        input=[
            {"role": "developer", "content": "Be kind."},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
            {"role": "assistant", "content": [{"type": "output_text", "text": "Hello!", "annotations": []}]},
            {"role": "user", "content": "Say hello."},
        ],
        temperature=0.5,
        top_p=0.9,
        max_output_tokens=50,
    )
    assert local_gateway.calls.last.json == {
        "model": MODEL,
        "messages": [
            {"role": "developer", "content": "Be kind."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Say hello."},
        ],
        "temperature": 0.5,
        "top_p": 0.9,
        "max_tokens": 50,
    }


def test_text_parts_are_joined_one_per_line_as_for_chat_calls(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    parts: list[Any] = [{"type": "input_text", "text": "Say"}, {"type": "input_text", "text": "hello."}]
    client.responses.create(model=MODEL, input=[{"role": "user", "content": parts}])
    chat_parts: list[Any] = [{"type": "text", "text": "Say"}, {"type": "text", "text": "hello."}]
    client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": chat_parts}])
    sent_by_responses, sent_by_chat = (call.json["messages"] for call in local_gateway.calls.to(CHAT))
    assert sent_by_responses == sent_by_chat == [{"role": "user", "content": "Say\nhello."}]


def test_a_response_cut_by_max_output_tokens_is_incomplete(client: og.OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="Say hello.", max_output_tokens=3)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.output_text == "Hello there!"
    assert response.output[0].status == "incomplete"  # type: ignore[union-attr]
    assert response.usage is not None
    assert response.usage.output_tokens == 3


def test_user_and_safety_identifier_attribute_the_call(local_gateway: LocalGateway) -> None:
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as anonymous:
        anonymous.responses.create(model=MODEL, input="Say hello.", user="alice")
        assert local_gateway.calls.last.headers["x-user-id"] == "alice"
        anonymous.responses.create(model=MODEL, input="Say hello.", safety_identifier="bob", user="alice")
        assert local_gateway.calls.last.headers["x-user-id"] == "bob"
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, user_id="carol") as named:
        named.responses.create(model=MODEL, input="Say hello.", user="alice")
        assert local_gateway.calls.last.headers["x-user-id"] == "alice"  # as for chat calls: the call's id wins
        assert local_gateway.calls.last.headers["x-api-key"] == local_gateway.api_key


def test_text_verbosity_is_echoed_plain_and_streamed(client: og.OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="Say hello.", text={"verbosity": "low"})
    assert response.text is not None
    assert response.text.verbosity == "low"
    with client.responses.stream(model=MODEL, input="Say hello.", text={"verbosity": "low"}) as stream:
        final = stream.get_final_response()
    assert final.text == response.text


def test_metadata_is_echoed_and_not_sent(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    response = client.responses.create(model=MODEL, input="Say hello.", metadata={"ticket": "42"})
    assert response.metadata == {"ticket": "42"}
    assert "metadata" not in local_gateway.calls.last.json


# --- conversation state ------------------------------------------------------------------------------


def test_previous_response_id_continues_the_conversation(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    first = client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input="Say hello.")
    second = client.responses.create(model=MODEL, input="Once more.", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    assert local_gateway.calls.last.json["messages"] == [  # the first call's instructions do not carry over
        {"role": "user", "content": "Say hello."},
        {"role": "assistant", "content": REPLY},
        {"role": "user", "content": "Once more."},
    ]
    copy = client.with_user("someone-else")
    copy.responses.create(model=MODEL, input="And again.", previous_response_id=second.id)
    assert len(local_gateway.calls.last.json["messages"]) == 5


async def test_async_previous_response_id(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    first = await async_client.responses.create(model=MODEL, input="Say hello.")
    await async_client.responses.create(model=MODEL, input="Once more.", previous_response_id=first.id)
    assert [m["role"] for m in local_gateway.calls.last.json["messages"]] == ["user", "assistant", "user"]
    assert (await async_client.responses.retrieve(first.id)).id == first.id
    await async_client.responses.delete(first.id)
    with pytest.raises(og.UnknownResponseError):
        await async_client.responses.retrieve(first.id)


def test_an_unknown_previous_response_id_is_refused_before_sending(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    with pytest.raises(og.UnknownResponseError, match="No response 'resp_elsewhere'") as caught:
        client.responses.create(model=MODEL, input="Hi", previous_response_id="resp_elsewhere")
    assert isinstance(caught.value, og.UnsupportedFeatureError)
    assert isinstance(caught.value, openai.OpenAIError)
    assert (caught.value.field, caught.value.response_id) == ("previous_response_id", "resp_elsewhere")
    assert list(local_gateway.calls) == []


def test_another_client_does_not_share_the_store(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    first = client.responses.create(model=MODEL, input="Say hello.")
    other = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key)
    with pytest.raises(og.UnknownResponseError):
        other.responses.create(model=MODEL, input="Hi", previous_response_id=first.id)
    shared = og.MemoryResponseStore(max_responses=2)
    one = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, response_store=shared)
    two = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, response_store=shared)
    started = one.responses.create(model=MODEL, input="Say hello.")
    assert two.responses.retrieve(started.id).output_text == REPLY


def test_store_false_keeps_nothing(client: og.OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="Say hello.", store=False)
    assert response.store is False
    with pytest.raises(og.UnknownResponseError):
        client.responses.retrieve(response.id)


def test_retrieve_delete_and_cancel_are_served_from_the_store(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    response = client.responses.create(model=MODEL, input="Say hello.")
    calls = len(local_gateway.calls)
    assert client.responses.retrieve(response.id) == response
    assert client.responses.cancel(response.id) == response  # finished already: nothing to cancel
    assert client.responses.delete(response.id) is None
    for method in (client.responses.retrieve, client.responses.delete, client.responses.cancel):
        with pytest.raises(og.UnknownResponseError, match=response.id) as caught:
            method(response.id)
        assert caught.value.field == f"responses.{method.__name__}"
    assert len(local_gateway.calls) == calls


# --- streams -----------------------------------------------------------------------------------------


def _validated(events: Iterable[Any]) -> list[Any]:
    """Every event re-validated against the SDK's event union: same class, every required field present."""
    checked = []
    for number, event in enumerate(events):
        again = EVENTS.validate_python(event.to_dict())
        assert type(again) is type(event), event.type
        assert event.sequence_number == number
        checked.append(event)
    return checked


def _comparable(response: Response) -> dict[str, Any]:
    """A response without what differs between two calls by nature: ids, times, and the model name.

    The gateway names the requested model in stream chunks and the provider's snapshot in whole
    answers (wire protocol §1.4), so the two calls report `gpt-4o-mini` and `gpt-4o-mini-2024-07-18`.
    """
    data = response.to_dict()
    for field in ("id", "created_at", "completed_at", "model"):
        data.pop(field, None)
    for item in data["output"]:
        item.pop("id", None)
        for part in item.get("content", []):
            part.pop("parsed", None)  # what the SDK's stream helper adds (None without `text_format`)
    return data


def _accumulated_output(events: list[Any]) -> list[dict[str, Any]]:
    """The output items as the deltas build them up, without the closing events' copies."""
    items: dict[int, dict[str, Any]] = {}
    for event in events:
        if event.type == "response.output_item.added":
            items[event.output_index] = {"type": event.item.type, "text": "", "arguments": ""}
        elif event.type == "response.output_text.delta":
            items[event.output_index]["text"] += event.delta
        elif event.type == "response.function_call_arguments.delta":
            items[event.output_index]["arguments"] += event.delta
    return [items[index] for index in sorted(items)]


def test_a_stream_is_the_responses_event_sequence(client: og.OpenAI) -> None:
    events = _validated(client.responses.create(model=MODEL, input="Say hello.", stream=True))
    kinds = [event.type for event in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 8,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    final = events[-1].response
    assert events[0].response.status == "in_progress"
    assert events[0].response.id == final.id
    assert _accumulated_output(events) == [{"type": "message", "text": REPLY, "arguments": ""}]
    assert {event.item_id for event in events[3:14]} == {final.output[0].id}
    assert final.usage is not None
    assert final.usage.output_tokens == 8
    # A stream names only the requested alias, not the snapshot billed: no figure, and the reason (README, "Cost").
    assert og.meta(final).cost_usd is None
    assert "stream=True" in (og.meta(final).cost_note or "")


def test_the_sdk_stream_helper_accumulates_into_the_plain_response(client: og.OpenAI) -> None:
    plain = client.responses.create(model=MODEL, instructions=INSTRUCTIONS, input="Say hello.")
    with client.responses.stream(model=MODEL, instructions=INSTRUCTIONS, input="Say hello.") as stream:
        texts = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(texts) == REPLY
    assert _comparable(final) == _comparable(plain)
    kept = client.responses.retrieve(final.id)  # streamed responses are stored too, with their metadata
    assert kept.output_text == REPLY
    assert og.meta(plain).cost_usd is not None
    assert og.meta(kept).cost_usd is None  # streamed: the alias rule, as for chat streams
    assert og.meta(kept).cost_note is not None


async def test_async_stream_helper_accumulates_into_the_plain_response(async_client: og.AsyncOpenAI) -> None:
    plain = await async_client.responses.create(model=MODEL, input="Say hello.")
    async with async_client.responses.stream(model=MODEL, input="Say hello.") as stream:
        kinds = [event.type async for event in stream]  # the helper's own events (raw ones: test_async_create_stream)
        final = await stream.get_final_response()
    assert (kinds[0], kinds[-1]) == ("response.created", "response.completed")
    assert _comparable(final) == _comparable(plain)


async def test_async_create_stream(async_client: og.AsyncOpenAI) -> None:
    stream = await async_client.responses.create(model=MODEL, input="Say hello.", stream=True)
    events = _validated([event async for event in stream])
    assert _accumulated_output(events)[0]["text"] == REPLY


def test_a_stream_cut_by_max_output_tokens_ends_incomplete(client: og.OpenAI) -> None:
    plain = client.responses.create(model=MODEL, input="Say hello.", max_output_tokens=3)
    events = _validated(client.responses.create(model=MODEL, input="Say hello.", max_output_tokens=3, stream=True))
    assert events[-1].type == "response.incomplete"
    assert _comparable(events[-1].response) == _comparable(plain)


@pytest.mark.parametrize("fault", ["provider 401", "midstream"])
def test_a_gateway_failure_mid_stream_raises_the_chat_streams_error(
    client: og.OpenAI, local_gateway: LocalGateway, fault: str
) -> None:
    def schedule() -> None:
        if fault == "midstream":
            local_gateway.faults.midstream(after=3)
        else:
            local_gateway.faults.provider_error(401)

    schedule()
    with pytest.raises(og.ProviderError) as from_chat:
        list(client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True))
    schedule()
    seen: list[str] = []

    def read() -> None:
        for event in client.responses.create(model=MODEL, input="Hi", stream=True):
            seen.append(event.type)

    with pytest.raises(og.ProviderError) as from_responses:
        read()
    assert type(from_responses.value) is type(from_chat.value)
    assert str(from_responses.value) == str(from_chat.value)
    assert from_responses.value.status_code == from_chat.value.status_code
    assert "response.completed" not in seen


async def test_an_async_failure_mid_stream_is_typed(async_client: og.AsyncOpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(401)
    with pytest.raises(og.ProviderError, match="OpenAI error 401:") as caught:
        async with async_client.responses.stream(model=MODEL, input="Hi") as stream:
            await stream.get_final_response()
    assert isinstance(caught.value, openai.AuthenticationError)


def test_gateway_errors_before_the_answer_are_typed(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.exhaust_budget()
    with pytest.raises(og.BudgetExceededError, match="budget exceeded") as caught:
        client.responses.create(model=MODEL, input="Hi")
    assert isinstance(caught.value, openai.APIStatusError)
    local_gateway.faults.restore_budgets()
    with pytest.raises(og.ModelNotFoundError, match="No provider registered"):
        client.responses.create(model="llama-3", input="Hi")


# --- raw and streamed raw responses --------------------------------------------------------------------


def test_with_raw_response_is_the_chat_calls_answer_parsed_as_a_response(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    raw = client.responses.with_raw_response.create(model=MODEL, input="Say hello.")
    assert raw.status_code == 200
    assert raw.headers["x-ratelimit-limit"] == "60"
    assert og.meta(raw).request_id == raw.headers["x-request-id"]
    response = raw.parse()
    assert isinstance(response, Response)
    assert response.output_text == REPLY
    assert og.meta(response).cost_usd is not None
    assert client.responses.retrieve(response.id) == response
    assert local_gateway.calls.last.path == CHAT


def test_with_streaming_response_of_a_stream(client: og.OpenAI) -> None:
    with client.responses.with_streaming_response.create(model=MODEL, input="Say hello.", stream=True) as raw:
        assert raw.headers["content-type"].startswith("text/event-stream")
        events = _validated(raw.parse())
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == REPLY


async def test_async_with_streaming_response_of_a_stream(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    async with async_client.responses.with_streaming_response.create(model=MODEL, input="Hi", stream=True) as raw:
        assert raw.request_id is not None
        events = _validated([event async for event in await raw.parse()])
    assert _accumulated_output(events)[0]["text"] == REPLY
    local_gateway.faults.provider_error(401)
    with pytest.raises(og.ProviderError, match="OpenAI error 401:"):
        async with async_client.responses.with_streaming_response.create(model=MODEL, input="Hi", stream=True) as raw:
            [event async for event in await raw.parse()]


async def test_async_with_raw_response(async_client: og.AsyncOpenAI) -> None:
    raw = await async_client.responses.with_raw_response.create(model=MODEL, input="Say hello.")
    assert raw.parse().output_text == REPLY


def test_parsing_a_raw_response_twice_gives_the_same_response(client: og.OpenAI) -> None:
    raw = client.responses.with_raw_response.create(model=MODEL, input="Say hello.")
    assert raw.parse() is raw.parse()  # as the SDK's own raw responses cache what they parsed
    assert len(client.response_store) == 1  # type: ignore[arg-type]
    with client.responses.with_streaming_response.create(model=MODEL, input="Say hello.", stream=True) as streamed:
        assert streamed.parse() is streamed.parse()


async def test_async_parsing_a_raw_stream_twice_gives_the_same_stream(async_client: og.AsyncOpenAI) -> None:
    async with async_client.responses.with_streaming_response.create(model=MODEL, input="Hi", stream=True) as raw:
        stream = await raw.parse()
        assert await raw.parse() is stream
        assert _validated([event async for event in stream])[-1].type == "response.completed"
