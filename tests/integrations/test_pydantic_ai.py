"""pydantic-ai's `OpenAIChatModel`, wired by `integrations.pydantic_ai.chat_model`, live against the local gateway."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput, ToolOutput
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

import omnigate_openai as og
from omnigate_openai.integrations.pydantic_ai import chat_model
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from .conftest import chat_calls


class City(BaseModel):
    city: str
    country: str


async def test_run(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    result = await Agent(chat_model(async_client), instructions="Be brief.").run("Hello")
    assert result.output == DEFAULT_REPLY
    usage = result.usage() if inspect.ismethod(result.usage) else result.usage  # a method in older pydantic-ai
    assert usage.output_tokens > 0
    assert chat_calls(gateway)[0].json["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_streamed_run(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    async with Agent(chat_model(async_client)).run_stream("Hello") as run:
        deltas = [delta async for delta in run.stream_text(delta=True)]
    assert "".join(deltas) == DEFAULT_REPLY
    assert chat_calls(gateway)[0].json["stream"] is True


def test_run_sync_with_a_sync_client(client: og.OpenAI, gateway: LocalGateway) -> None:
    assert Agent(chat_model(client)).run_sync("Hello").output == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1


async def test_max_retries_setting_keeps_the_gateway_settings(
    async_client: og.AsyncOpenAI, gateway: LocalGateway
) -> None:
    """`max_retries` in model settings rebuilds the client through `with_options` (pydantic-ai >= 2.6x)."""
    agent = Agent(chat_model(async_client), model_settings={"max_retries": 1})  # type: ignore[typeddict-unknown-key]
    assert (await agent.run("Hello")).output == DEFAULT_REPLY
    assert len(chat_calls(gateway)) == 1  # the fixture checks its key and user id


@pytest.mark.parametrize("gateway_reply", ['{"city": "Paris", "country": "France"}'])
async def test_structured_output_is_prompted(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    result = await Agent(chat_model(async_client), output_type=City).run("Where is the Eiffel tower?")
    assert result.output == City(city="Paris", country="France")
    [call] = chat_calls(gateway)
    assert "tools" not in call.json
    assert "response_format" not in call.json
    assert '"country"' in call.json["messages"][0]["content"]  # the schema is in the prompt


@pytest.mark.parametrize("output", [ToolOutput(City), NativeOutput(City)], ids=["ToolOutput", "NativeOutput"])
async def test_output_modes_that_need_dropped_fields_are_refused(
    async_client: og.AsyncOpenAI, gateway: LocalGateway, output: object
) -> None:
    model = OpenAIChatModel("gpt-4o-mini", provider=OpenAIProvider(openai_client=async_client))
    with pytest.raises(og.UnsupportedFeatureError, match=r"silently ignores `(tools|response_format)`"):
        await Agent(model, output_type=output).run("Where is the Eiffel tower?")  # type: ignore[call-overload]
    assert chat_calls(gateway) == []
