"""`reasoning.effort` of a Responses call served over Flow's chat route: sent as `reasoning_effort` where LiteLLM
passes it on to the model, refused before sending where it would not (and on OmniGate, which drops it)."""

from __future__ import annotations

from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.flow._reasoning import litellm_forwards_reasoning_effort
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway, LocalGateway

from ._litellm import litellm_passes_on

CHAT = "/api/v1/gateway/v1/chat/completions"
GPT_5 = "openai/gpt-5-mini"

NAMES = [  # a Flow name, whether the client sends `reasoning_effort` to it, whether LiteLLM 1.108.7 passes it on
    ("openai/gpt-5-mini", True, True),
    ("openai/gpt-5.1", True, True),
    ("openai/gpt-5-codex", True, True),
    ("openai/gpt-6", True, True),
    ("azure/my-gpt-5-deployment", True, True),
    ("azure/gpt5_series/my-deployment", True, True),
    ("azure_ai/gpt-5", True, True),
    ("chatgpt/gpt-5", True, True),
    ("github_copilot/gpt-5-mini", True, True),
    ("ragflow/chat/my-chat/gpt-5", True, True),
    ("openai/o3", True, True),  # OpenAI's o-series: a model part of `o` and a digit
    ("openai/o4-mini", True, True),
    ("openai/o1-preview", True, True),
    ("chatgpt/o3", True, True),
    ("azure_ai/o3", True, True),
    ("github_copilot/o4-mini-2025-04-16", True, True),
    ("openai/o1-mini", True, True),  # not in LiteLLM's list of OpenAI's models: its config for unknown ones passes it
    ("chatgpt/o1-mini", False, False),  # ...while OpenAI's kin refuse it there (their GPT config): a 400
    ("azure_ai/o9", False, False),
    ("github_copilot/o1-preview", False, False),
    ("azure/o3-mini", True, True),  # Azure's: `o1`, `o3`, `o4` or `o_series/` anywhere in the name
    ("azure/my-o3-deployment", True, True),
    ("azure/o_series/my-deployment", True, True),
    ("azure/gpt-5-demo1", True, True),
    ("openai/gpt-5-search-api", False, False),  # the search models' short list lacks it
    ("bedrock_mantle/openai.gpt-5", False, False),  # its config takes `verbosity`, not `reasoning_effort`
    ("openai/gpt-5-chat-latest", False, False),
    ("openai/gpt-4o", False, False),
    ("azure/gpt-4o", False, False),
    ("openai/GPT-5", False, True),  # LiteLLM does not know the name: it passes the field on, unchecked
    ("ragflow/gpt-5", False, False),  # not RAGFlow's `ragflow/{chat,agent}/<id>/<model>`: refused whole
    # Passed on by the model's row in LiteLLM's model map, data the client does not hold: refused, not guessed
    ("anthropic/claude-sonnet-4-20250514", False, True),
    ("gemini/gemini-2.5-pro", False, True),
    ("anthropic/claude-3-5-haiku-20241022", False, False),
    ("openai/my-fine-tune", False, True),
    ("ragflow/chat/my-chat/o3", False, True),
]

PROXIED = [  # `litellm_proxy/<name>`: passed on whole; the next LiteLLM proxy judges `<name>`
    ("litellm_proxy/openai/gpt-5-mini", True),
    ("litellm_proxy/azure/o3", True),
    ("litellm_proxy/openai/gpt-4o", False),
]


@pytest.mark.parametrize(("name", "sent", "passed_on"), NAMES)
def test_the_rule(name: str, sent: bool, passed_on: bool) -> None:  # noqa: ARG001
    assert litellm_forwards_reasoning_effort(name) is sent


@pytest.mark.parametrize(("name", "sent"), PROXIED)
def test_the_rule_through_another_proxy(name: str, sent: bool) -> None:
    assert litellm_forwards_reasoning_effort(name) is sent


@pytest.mark.parametrize("name", [None, 5, "", "gpt-5-mini", "o3", "/gpt-5", "openai/"])
def test_no_name_or_a_bare_one_is_refused(name: object) -> None:
    """A bare name is an alias of the proxy's model list, whose deployment decides unseen."""
    assert litellm_forwards_reasoning_effort(name) is False


@pytest.mark.timeout(180)
def test_litellm_itself_agrees_with_the_table() -> None:
    """Never sent where LiteLLM would not pass it on; the rows it would, but the client refuses, are listed."""
    proxied = {name: name.partition("/")[2] for name, _ in PROXIED}
    answers = litellm_passes_on("reasoning_effort", [name for name, _, _ in NAMES] + list(proxied.values()))
    assert {name: answers[name] for name, _, _ in NAMES} == {name: passed_on for name, _, passed_on in NAMES}
    assert [name for name, _, _ in NAMES if litellm_forwards_reasoning_effort(name) and not answers[name]] == []
    assert {name: answers[rest] for name, rest in proxied.items()} == dict(PROXIED)


# -- through the local Flow gateway -----------------------------------------------------------------


def _client(gateway: LocalFlowGateway) -> flow.OpenAI:
    return flow.OpenAI(base_url=gateway.base_url, auth_token=gateway.auth_token, max_retries=0)


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_sync_sends_the_effort(flow_gateway: LocalFlowGateway, stream: bool) -> None:
    with _client(flow_gateway) as client:
        answer: Any = client.responses.create(model=GPT_5, input="Hi", reasoning={"effort": "low"}, stream=stream)
        if stream:
            text = "".join(event.delta for event in answer if event.type == "response.output_text.delta")
        else:
            text = answer.output_text
            assert answer.reasoning.effort == "low"  # echoed, as OpenAI does
    assert text == DEFAULT_REPLY
    sent = flow_gateway.calls.last.json
    assert (sent["model"], sent["reasoning_effort"]) == (GPT_5, "low")


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
async def test_async_sends_the_effort(flow_gateway: LocalFlowGateway, stream: bool) -> None:
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0
    ) as client:
        answer: Any = await client.responses.create(
            model=GPT_5, input="Hi", reasoning={"effort": "high"}, stream=stream
        )
        if stream:
            text = "".join([event.delta async for event in answer if event.type == "response.output_text.delta"])
        else:
            text = answer.output_text
    assert text == DEFAULT_REPLY
    assert flow_gateway.calls.last.json["reasoning_effort"] == "high"


def test_no_effort_asked_sends_none(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        for reasoning in ({}, {"effort": None, "summary": None}):
            assert client.responses.create(model=GPT_5, input="Hi", reasoning=reasoning).output_text  # type: ignore[arg-type]
            assert "reasoning_effort" not in flow_gateway.calls.last.json


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_an_effort_of_none_is_sent_where_the_effort_is(flow_gateway: LocalFlowGateway, stream: bool) -> None:
    """GPT-5.5 on reason unless told `none` (openai-agents' default for them), and LiteLLM takes their temperature
    only then: dropped as asking for nothing, the model reasoned and LiteLLM refused the temperature with a 400."""
    with _client(flow_gateway) as client:
        answer: Any = client.responses.create(
            model="openai/gpt-5.5", input="Hi", temperature=0.2, reasoning={"effort": "none"}, stream=stream
        )
        response = next(event for event in answer if event.type == "response.completed").response if stream else answer
    assert (response.output_text, response.reasoning.effort) == (DEFAULT_REPLY, "none")
    sent = flow_gateway.calls.last.json
    assert (sent["reasoning_effort"], sent["temperature"]) == ("none", 0.2)


async def test_an_effort_of_none_is_sent_where_the_effort_is_async(flow_gateway: LocalFlowGateway) -> None:
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0
    ) as client:
        response = await client.responses.create(model="openai/gpt-5.5", input="Hi", reasoning={"effort": "none"})
    assert response.output_text == DEFAULT_REPLY
    assert flow_gateway.calls.last.json["reasoning_effort"] == "none"


def test_an_effort_of_none_asks_nothing_where_the_effort_is_not_sent(flow_gateway: LocalFlowGateway) -> None:
    """Where LiteLLM sends no `reasoning_effort`, "none" asks for nothing the field could have done: not refused."""
    with _client(flow_gateway) as client:
        assert client.responses.create(model="openai/gpt-4o", input="Hi", reasoning={"effort": "none"}).output_text
    assert "reasoning_effort" not in flow_gateway.calls.last.json


REFUSED = [  # model, reasoning, the field named, what the message says
    ("openai/gpt-4o", {"effort": "low"}, "reasoning", "'openai/gpt-4o' is not one"),
    ("anthropic/claude-sonnet-4-20250514", {"effort": "low"}, "reasoning", "GPT-5 family and OpenAI's o-series"),
    ("gpt-5-mini", {"effort": "low"}, "reasoning", "a bare name stands for a deployment the client cannot see"),
    (GPT_5, {"effort": "low", "summary": "auto"}, "reasoning.summary", "returns no reasoning summary"),
    (GPT_5, {"generate_summary": "concise"}, "reasoning.generate_summary", "returns no reasoning summary"),
    (GPT_5, {"effort": "low", "mode": "pro"}, "reasoning.mode", "chat completions have no such setting"),
]


@pytest.mark.parametrize(("model", "reasoning", "field", "says"), REFUSED)
def test_refused_before_sending(
    flow_gateway: LocalFlowGateway, model: str, reasoning: dict[str, Any], field: str, says: str
) -> None:
    with _client(flow_gateway) as client, pytest.raises(og.UnsupportedFeatureError, match=says) as caught:
        client.responses.create(model=model, input="Hi", reasoning=reasoning)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert f"cannot honour `{field}`" in str(caught.value)
    assert flow_gateway.calls.to(CHAT) == []


async def test_refused_before_sending_async(flow_gateway: LocalFlowGateway) -> None:
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0
    ) as client:
        with pytest.raises(og.UnsupportedFeatureError, match="'openai/gpt-4o' is not one") as caught:
            await client.responses.create(model="openai/gpt-4o", input="Hi", reasoning={"effort": "low"})
    assert caught.value.field == "reasoning"
    assert flow_gateway.calls.to(CHAT) == []


def test_omnigate_still_refuses_it_for_a_gpt_5_name(local_gateway: LocalGateway) -> None:
    """OmniGate drops `reasoning_effort` whatever the model, so the Responses translation refuses it there."""
    with (
        og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client,
        pytest.raises(og.UnsupportedFeatureError, match="cannot pass reasoning settings to the model") as caught,
    ):
        client.responses.create(model="gpt-5-mini", input="Hi", reasoning={"effort": "low"})
    assert caught.value.field == "reasoning"
    assert list(local_gateway.calls) == []
