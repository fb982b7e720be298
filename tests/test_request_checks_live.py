"""The fields OmniGate drops, refused or sent over a real loopback socket: nothing refused reaches the gateway."""

from __future__ import annotations

from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

HELLO: list[Any] = [{"role": "user", "content": "Say hello."}]
CLAUDE = "claude-3-5-haiku-latest"
CHAT, NATIVE = "/v1/chat/completions", "/v1/chat"

REFUSED = [  # the call's arguments, the field named, a fragment of the message
    ({"model": CLAUDE, "seed": 7}, "seed", f"model '{CLAUDE}' goes to Anthropic"),
    ({"model": "gemini-1.5-flash", "presence_penalty": 0.5}, "presence_penalty", "goes to Gemini"),
    ({"model": CLAUDE, "extra_body": {"frequency_penalty": 1}}, "frequency_penalty", "goes to Anthropic"),
    ({"model": "gpt-4o-mini", "prediction": {"type": "content", "content": "x"}}, "prediction", "sped up"),
]


@pytest.mark.parametrize(("call", "field", "fragment"), REFUSED, ids=[row[1] for row in REFUSED])
def test_refused_before_sending(
    client: og.OpenAI, local_gateway: LocalGateway, call: dict[str, Any], field: str, fragment: str
) -> None:
    for routed in (client, client.with_routing(cache=True)):
        with pytest.raises(og.UnsupportedFeatureError, match=fragment) as caught:
            routed.chat.completions.create(messages=HELLO, **call)
        assert caught.value.field == field
    assert local_gateway.calls.to(CHAT) == local_gateway.calls.to(NATIVE) == []


@pytest.mark.parametrize(("call", "field", "fragment"), REFUSED, ids=[row[1] for row in REFUSED])
async def test_async_refused_before_sending(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway, call: dict[str, Any], field: str, fragment: str
) -> None:
    for routed in (async_client, async_client.with_routing(cache=True)):
        with pytest.raises(og.UnsupportedFeatureError, match=fragment) as caught:
            await routed.chat.completions.create(messages=HELLO, **call)
        assert caught.value.field == field
    assert local_gateway.calls.to(CHAT) == local_gateway.calls.to(NATIVE) == []


def test_a_fallback_that_would_drop_the_seed_is_refused(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    routed = client.with_routing(fallbacks=[f"anthropic/{CLAUDE}"])
    with pytest.raises(og.UnsupportedFeatureError, match=f"fallback model '{CLAUDE}' goes to Anthropic") as caught:
        routed.chat.completions.create(model="gpt-4o-mini", messages=HELLO, seed=7)
    assert caught.value.field == "seed"
    assert local_gateway.calls.to(NATIVE) == []


async def test_async_a_fallback_that_would_drop_the_seed_is_refused(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    routed = async_client.with_routing(fallbacks=["gemini-1.5-flash"])
    with pytest.raises(og.UnsupportedFeatureError, match=r"fallback model 'gemini-1\.5-flash' goes to Gemini"):
        await routed.chat.completions.create(model="gpt-4o-mini", messages=HELLO, seed=7)
    assert local_gateway.calls.to(NATIVE) == []


def test_the_opt_out_and_openai_models_send_them(local_gateway: LocalGateway) -> None:
    key = local_gateway.api_key
    with og.OpenAI(base_url=local_gateway.base_url, api_key=key, allow_ignored_fields=True, max_retries=0) as loose:
        loose.chat.completions.create(model=CLAUDE, messages=HELLO, seed=7, presence_penalty=0.5)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=key, max_retries=0) as strict:
        strict.chat.completions.create(model="gpt-4o-mini", messages=HELLO, seed=7, presence_penalty=0.5)
    sent = [(call.json["seed"], call.json["presence_penalty"]) for call in local_gateway.calls.to(CHAT)]
    assert sent == [(7, 0.5), (7, 0.5)]


def test_metadata_without_store_reaches_the_gateway(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.chat.completions.create(model=CLAUDE, messages=HELLO, metadata={"run": "7"})
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert local_gateway.calls.last.json["metadata"] == {"run": "7"}


def test_metadata_does_not_stop_a_routed_call(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """The native body has no `metadata`, and nothing is lost without it (it is kept only with `store=True`)."""
    routed = client.with_routing(cache=True)
    completion = routed.chat.completions.create(model=CLAUDE, messages=HELLO, metadata={"run": "7"})
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert local_gateway.calls.last.path == NATIVE
    assert "metadata" not in local_gateway.calls.last.json


async def test_async_metadata_without_store_reaches_the_gateway(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    completion = await async_client.chat.completions.create(model=CLAUDE, messages=HELLO, metadata={"run": "7"})
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert local_gateway.calls.last.json["metadata"] == {"run": "7"}


async def test_async_metadata_does_not_stop_a_routed_call(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    routed = async_client.with_routing(cache=True)
    completion = await routed.chat.completions.create(model=CLAUDE, messages=HELLO, metadata={"run": "7"})
    assert completion.choices[0].message.content == DEFAULT_REPLY
    assert local_gateway.calls.last.path == NATIVE
    assert "metadata" not in local_gateway.calls.last.json


def test_a_model_no_provider_takes_gets_the_gateways_error_not_a_sampling_refusal(
    client: og.OpenAI, local_gateway: LocalGateway
) -> None:
    """Nothing is dropped from a call the gateway does not serve: its 400 names the real problem."""
    with pytest.raises(og.ModelNotFoundError, match="No provider registered for model 'mistral-large'"):
        client.chat.completions.create(model="mistral-large", messages=HELLO, seed=7, presence_penalty=0.5)
    assert local_gateway.calls.last.json["seed"] == 7


async def test_async_a_model_no_provider_takes_gets_the_gateways_error(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    with pytest.raises(og.ModelNotFoundError, match="No provider registered for model 'mistral-large'"):
        await async_client.chat.completions.create(model="mistral-large", messages=HELLO, seed=7)
    assert local_gateway.calls.last.json["seed"] == 7
