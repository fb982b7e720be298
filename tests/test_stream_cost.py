"""Every compat stream is priced from its usage chunk, exactly as the gateway bills it, or None with the reason.

The client asks for the usage chunk on every compat stream and hides it when the caller did not,
so the caller's stream looks exactly as it would with the plain SDK.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway

HELLO = [{"role": "user", "content": "Say hello."}]


def _shape(chunks: list[Any]) -> list[tuple[Any, ...]]:
    """What a caller sees of each chunk (ids and timestamps aside)."""
    return [
        (
            chunk.model,
            [(c.index, c.delta.role, c.delta.content, c.finish_reason) for c in chunk.choices],
            chunk.usage.model_dump() if chunk.usage else None,
        )
        for chunk in chunks
    ]


@pytest.mark.parametrize("stream_options", [None, {"include_usage": False}, {}])
def test_a_stream_that_did_not_ask_for_usage_looks_as_it_would_without_the_package(
    client: og.OpenAI, local_gateway: LocalGateway, stream_options: Any
) -> None:
    extra = {} if stream_options is None else {"stream_options": stream_options}
    with openai.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as plain:
        plain_stream = plain.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stream=True, **extra)
        expected = _shape(list(plain_stream))
    assert local_gateway.calls.last.json.get("stream_options") == stream_options
    stream = client.chat.completions.create(model="gpt-4o-mini-2024-07-18", messages=HELLO, stream=True, **extra)
    seen = _shape(list(stream))
    assert local_gateway.calls.last.json["stream_options"] == {"include_usage": True}  # asked on the caller's behalf
    assert [(choices, usage) for _, choices, usage in seen] == [(choices, usage) for _, choices, usage in expected]
    assert all(chunk_usage is None for _, _, chunk_usage in seen)
    assert og.meta(stream).cost_usd == float(local_gateway.state.usage[-1].cost) == 0.000006


def test_a_caller_who_asked_for_usage_still_gets_the_chunk(client: og.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="gpt-4o-mini-2024-07-18", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    assert (chunks[-1].choices, chunks[-1].usage.total_tokens if chunks[-1].usage else None) == ([], 17)
    assert og.meta(stream).cost_usd == 0.000006


async def test_async_streams_hide_the_chunk_and_are_priced(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    stream = await async_client.chat.completions.create(model="gemini-1.5-flash-002", messages=HELLO, stream=True)
    chunks = [chunk async for chunk in stream]
    assert [chunk.usage for chunk in chunks] == [None] * len(chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert og.meta(stream).cost_usd == float(local_gateway.state.usage[-1].cost) > 0


def test_the_stream_helper_and_streaming_response_hide_it_too(client: og.OpenAI) -> None:
    with client.chat.completions.stream(model="gpt-4o-2024-08-06", messages=HELLO) as stream:
        final = stream.get_final_completion()
    assert final.usage is None  # as with the plain SDK, which never asked
    with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-2024-08-06", messages=HELLO, stream=True
    ) as response:
        chunks = list(response.parse())
    assert [chunk.usage for chunk in chunks] == [None] * len(chunks)
    assert og.meta(response.parse()).cost_usd == 0.000102


@pytest.mark.parametrize(
    ("model", "served_as"),
    [("gpt-4", "gpt-4-0613"), ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"), ("gpt-4o-mini", None)],
)
def test_a_stream_of_an_alias_has_no_cost_and_says_why(
    client: og.OpenAI, local_gateway: LocalGateway, model: str, served_as: str | None
) -> None:
    """The gateway bills the snapshot the provider reports; a stream names only the alias."""
    stream = client.chat.completions.create(model=model, messages=HELLO, stream=True)
    list(stream)
    found = og.meta(stream)
    assert found.cost_usd is None
    assert found.cost_note is not None
    assert f"the gateway bills the snapshot the provider serves for {model!r}" in found.cost_note
    if served_as is not None:
        assert local_gateway.state.usage[-1].model == served_as
        assert local_gateway.state.usage[-1].cost == 0  # what a price of the alias would have got wrong


@pytest.mark.parametrize(
    ("model", "cost"),
    [("gpt-4-0613", 0.0), ("claude-3-5-haiku-20241022", 0.0), ("gpt-4o-2024-08-06", 0.000102)],
)
def test_a_stream_of_a_pinned_snapshot_costs_exactly_what_the_gateway_bills(
    client: og.OpenAI, local_gateway: LocalGateway, model: str, cost: float
) -> None:
    stream = client.chat.completions.create(model=model, messages=HELLO, stream=True)
    list(stream)
    assert (og.meta(stream).cost_usd, og.meta(stream).cost_note) == (cost, None)
    assert float(local_gateway.state.usage[-1].cost) == cost


def test_an_azure_stream_has_no_cost_and_says_why(client: og.OpenAI) -> None:
    stream = client.chat.completions.create(model="azure/gpt-4o-2024-08-06", messages=HELLO, stream=True)
    list(stream)
    assert og.meta(stream).cost_usd is None
    assert "Azure stream" in (og.meta(stream).cost_note or "")


def test_a_non_streamed_alias_is_priced_from_the_served_model(client: og.OpenAI) -> None:
    completion = client.chat.completions.create(model="gpt-4", messages=HELLO)
    assert (completion.model, og.meta(completion).cost_usd, og.meta(completion).cost_note) == ("gpt-4-0613", 0.0, None)
