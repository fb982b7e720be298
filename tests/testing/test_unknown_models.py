"""A model the provider does not serve is the provider's 404, as upstream: a typo must not pass at $0."""

from __future__ import annotations

import openai
import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway

HELLO = [{"role": "user", "content": "Say hello."}]


@pytest.mark.parametrize(
    ("model", "provider_says"),
    [
        ("gpt4o-mini", "OpenAI error 404: "),
        ("gpt-5-turbo-nonexistent", "OpenAI error 404: "),
        ("claude-3-5-haiku-nonexistent", "Anthropic error 404: "),
        ("gemini-9-flash", "Gemini error 404: "),
    ],
)
def test_an_unknown_model_is_the_providers_404(local_gateway: LocalGateway, model: str, provider_says: str) -> None:
    with (
        og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client,
        pytest.raises(og.ProviderError, match=provider_says) as caught,
    ):
        client.chat.completions.create(model=model, messages=HELLO)
    assert isinstance(caught.value, openai.NotFoundError)
    assert (caught.value.status_code, caught.value.upstream_status) == (404, 404)
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["type"] == "invalid_request_error"  # the SDK hands over the `error` object of the envelope
    assert model in body["message"]
    assert local_gateway.state.usage[-1].status == "error"
    assert local_gateway.state.usage[-1].cost == 0


def test_an_unknown_model_fails_a_stream_in_band(client: og.OpenAI) -> None:
    """Upstream errors arise after the stream's 200, so they arrive as the in-band error frame."""
    stream = client.chat.completions.create(model="gpt4o-mini", messages=HELLO, stream=True)
    with pytest.raises(og.ProviderError, match="The model `gpt4o-mini` does not exist") as caught:
        list(stream)
    assert isinstance(caught.value, openai.NotFoundError)


def test_the_native_route_says_404_too(client: og.OpenAI) -> None:
    with pytest.raises(og.ProviderError, match="OpenAI error 404") as caught:
        client.with_routing(cache=False).chat.completions.create(model="gpt-5-turbo-nonexistent", messages=HELLO)
    assert caught.value.status_code == 404


@pytest.mark.local_gateway(extra_models=["gpt-5"])
def test_extra_models_are_served_and_billed_zero(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    completion = client.chat.completions.create(model="gpt-5", messages=HELLO)
    assert completion.model == "gpt-5"
    assert og.meta(completion).cost_usd == 0.0
    assert local_gateway.state.usage[-1].cost == 0


@pytest.mark.parametrize("model", ["gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4-0613", "azure/any-deployment"])
def test_served_models_and_any_azure_deployment_answer(client: og.OpenAI, model: str) -> None:
    assert client.chat.completions.create(model=model, messages=HELLO).choices[0].message.content
