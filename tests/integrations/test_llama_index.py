"""LlamaIndex's `OpenAILike`, wired by `integrations.llama_index.llm`, live against the local gateway (openai 2.x)."""

from __future__ import annotations

import openai
import pytest
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike

import omnigate_openai as og
from omnigate_openai.integrations.llama_index import llm
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from .conftest import HostGuard, chat_calls

HELLO = [ChatMessage(role="user", content="Hello")]


def test_complete_and_chat(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = llm(client, model="gpt-4o-mini")
    assert model.complete("Hello").text == DEFAULT_REPLY
    assert model.chat(HELLO).message.content == DEFAULT_REPLY
    assert [call.path for call in chat_calls(gateway)] == ["/v1/chat/completions"] * 2
    assert not gateway.calls.to("/v1/completions")


def test_stream(client: og.OpenAI, gateway: LocalGateway) -> None:
    model = llm(client, model="gpt-4o-mini")
    assert "".join(r.delta or "" for r in model.stream_complete("Hello")) == DEFAULT_REPLY
    assert "".join(r.delta or "" for r in model.stream_chat(HELLO)) == DEFAULT_REPLY
    assert [call.json["stream"] for call in chat_calls(gateway)] == [True, True]


async def test_async(client: og.OpenAI, async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    model = llm(client, async_client, model="gpt-4o-mini")
    assert (await model.acomplete("Hello")).text == DEFAULT_REPLY
    assert (await model.achat(HELLO)).message.content == DEFAULT_REPLY
    stream = await model.astream_chat(HELLO)
    assert "".join([r.delta or "" async for r in stream]) == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 3


async def test_async_calls_use_a_twin_of_the_sync_client(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert (await llm(client, model="gpt-4o-mini").acomplete("Hello")).text == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1


def test_gateway_error_is_the_shims_typed_error(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.faults.exhaust_budget("project", "daily")
    with pytest.raises(og.BudgetExceededError, match="budget") as caught:
        llm(client, model="gpt-4o-mini").complete("Hello")
    assert caught.value.status_code == 402


async def test_the_guard_catches_the_trap_the_helper_avoids(
    client: og.OpenAI, gateway: LocalGateway, host_guard: HostGuard
) -> None:
    """Only `openai_client=` set: async calls go through a client LlamaIndex builds for api.openai.com."""
    bare = OpenAILike(model="gpt-4o-mini", is_chat_model=True, openai_client=client, max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        await bare.acomplete("Hello")
    assert "api.openai.com" in host_guard.attempts
    host_guard.attempts.clear()  # seen: the guard would have failed this test
    assert chat_calls(gateway) == []
