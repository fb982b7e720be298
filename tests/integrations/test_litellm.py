"""The LiteLLM library with `integrations.litellm`, live against the local gateway (own venv, with DSPy)."""

from __future__ import annotations

import json

import litellm
import openai
import pytest

import omnigate_openai as og
from omnigate_openai.integrations.litellm import acompletion, completion
from omnigate_openai.integrations.patch import patch_openai, unpatch_openai
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway, ToolCall

from .conftest import USER_ID, chat_calls

HELLO = [{"role": "user", "content": "Hello"}]
MODEL = "openai/gpt-4o-mini"


def test_completion_goes_through_the_client(client: og.OpenAI, gateway: LocalGateway) -> None:
    reply = completion(client, model=MODEL, messages=HELLO, temperature=0.2)
    assert reply.choices[0].message.content == DEFAULT_REPLY
    [call] = chat_calls(gateway)
    assert (call.json["model"], call.json["temperature"]) == ("gpt-4o-mini", 0.2)


async def test_acompletion_and_a_tool_call(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    gateway.model.script(ToolCall("get_weather", {"city": "Paris"}))
    parameters = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": parameters}}
    reply = await acompletion(async_client, model=MODEL, messages=HELLO, tools=[weather])
    [call] = reply.choices[0].message.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == ("get_weather", {"city": "Paris"})
    assert "tools" not in chat_calls(gateway)[0].json


def test_each_call_uses_the_client_it_is_given(client: og.OpenAI, gateway: LocalGateway) -> None:
    """Two users in turn: each call carries its own client's user id (LiteLLM's cache can't keep the first)."""
    other = client.with_user("someone-else")
    completion(other, model=MODEL, messages=HELLO)
    completion(client, model=MODEL, messages=HELLO)
    assert [c.headers["x-user-id"] for c in chat_calls(gateway)] == ["someone-else", USER_ID]
    gateway.calls.clear()  # the fixture checks that every remaining call carried USER_ID


def test_a_patched_openai_is_built_once_and_kept(gateway: LocalGateway) -> None:
    """The trap the helper avoids: LiteLLM keeps the client it built under the first patch."""
    try:
        patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)
        litellm.completion(model=MODEL, messages=HELLO, api_base=gateway.base_url, num_retries=0)
        patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id="someone-else")
        litellm.completion(model=MODEL, messages=HELLO, api_base=gateway.base_url, num_retries=0)
    finally:
        unpatch_openai()
    assert [c.headers["x-user-id"] for c in chat_calls(gateway)] == [USER_ID, USER_ID]


def test_a_refusal_is_the_gateways_typed_error_and_is_not_retried(client: og.OpenAI, gateway: LocalGateway) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="ignores `logprobs`") as caught:
        completion(client, model=MODEL, messages=HELLO, logprobs=True)
    assert caught.value.field == "logprobs"
    assert isinstance(caught.value.__cause__, litellm.InternalServerError)  # what LiteLLM made of it
    assert chat_calls(gateway) == []  # refused before sending


def test_without_the_helper_a_refusal_is_a_500(client: og.OpenAI, gateway: LocalGateway) -> None:
    """The trap: LiteLLM wraps the client's refusal as a server error, which its `num_retries` retries."""
    with pytest.raises(litellm.InternalServerError) as caught:
        litellm.completion(model=MODEL, messages=HELLO, client=client, logprobs=True, num_retries=0)
    assert caught.value.status_code == 500
    assert isinstance(caught.value, openai.InternalServerError)
    assert "ignores `logprobs`" in str(caught.value)
    assert chat_calls(gateway) == []


def test_a_gateway_error_from_the_server_keeps_its_type(client: og.OpenAI, gateway: LocalGateway) -> None:
    gateway.faults.exhaust_budget("project", "daily")
    with pytest.raises(og.BudgetExceededError, match="budget"):
        completion(client, model=MODEL, messages=HELLO)
