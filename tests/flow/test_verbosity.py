"""`verbosity` on Flow: sent as the field where LiteLLM forwards it (the GPT-5 family), said in the system message
for every other model, on chat completions and the Responses API alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.flow._verbosity import litellm_forwards_verbosity
from omnigate_openai.testing import DEFAULT_REPLY, LocalFlowGateway

from ._litellm import litellm_passes_on

LOW = "Keep the answer as short as the question allows."
BRIEF = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
GPT_5 = "openai/gpt-5-mini"
CLAUDE = "anthropic/claude-sonnet-4-20250514"

NAMES = [  # a Flow `provider/model` name, and whether LiteLLM 1.108.7 forwards `verbosity` for it
    ("openai/gpt-5-mini", True),
    ("openai/gpt-5.1", True),
    ("openai/gpt-5-codex", True),
    ("openai/gpt-5-search-api", True),
    ("openai/gpt-6", True),
    ("openai/ft:gpt-5-mini:org::abc", True),
    ("azure/gpt-5", True),
    ("azure/my-gpt-5-deployment", True),
    ("azure/gpt5_series/my-deployment", True),
    ("azure_ai/gpt-5", True),
    ("bedrock_mantle/openai.gpt-5", True),
    # ChatGPT's and GitHub Copilot's subscriptions, and RAGFlow, take OpenAI's chat config, GPT-5 rule and all
    ("chatgpt/gpt-5", True),
    ("chatgpt/gpt-5-codex", True),
    ("github_copilot/gpt-5-mini", True),
    ("ragflow/chat/my-chat/gpt-5", True),
    ("ragflow/agent/my-agent/gpt-5-mini", True),
    ("openai/gpt-5-chat-latest", False),  # GPT-5's chat model takes the GPT-4 parameters
    ("azure/gpt-5-chat", False),
    ("chatgpt/gpt-5-chat-latest", False),
    ("chatgpt/gpt-4o", False),
    ("github_copilot/gpt-4o", False),
    ("ragflow/chat/my-chat/gpt-4o", False),
    ("ragflow/gpt-5", False),  # not RAGFlow's `ragflow/{chat,agent}/<id>/<model>`: LiteLLM refuses the name
    # LiteLLM asks its Azure o-series test first: `o1`, `o3`, `o4` or `o_series/` anywhere in the name
    ("azure/gpt-5-demo1", False),
    ("azure/o_series/gpt-5", False),
    ("azure/gpt5_series/o3-deployment", False),
    ("azure_ai/gpt-5-demo1", True),  # not Azure AI's: it has no o-series config
    ("openai/GPT-5", False),  # LiteLLM's test is case-sensitive
    ("openai/gpt-4o", False),
    ("openai/gpt-4.1", False),
    ("openai/o3", False),
    ("openrouter/openai/gpt-5", False),  # other providers' configs do not take it
    ("hosted_vllm/gpt-5", False),
    ("anthropic/claude-sonnet-4-20250514", False),
    ("google/gemini-2.0-flash", False),
    ("gemini/gemini-2.5-pro", False),
]

PROXIED = [  # `litellm_proxy/<name>`: LiteLLM passes every field on; the next LiteLLM proxy judges `<name>`
    ("litellm_proxy/openai/gpt-5-mini", True),
    ("litellm_proxy/azure/gpt-5", True),
    ("litellm_proxy/litellm_proxy/openai/gpt-5", True),
    ("litellm_proxy/openai/gpt-4o", False),
    ("litellm_proxy/anthropic/claude-sonnet-4-20250514", False),
    ("litellm_proxy/gpt-5-mini", False),  # a bare name there too: an alias in that proxy's model list
]

BARE = ["gpt-5", "gpt-5-mini", "gpt-5-chat", "gpt-6", "my-gpt-5-alias", "gpt-4o", "claude-sonnet-4-20250514"]
"""Names with no `provider/`: a `model_name` in the proxy's model list, whose deployment decides, unseen."""


@pytest.mark.parametrize(("name", "forwards"), NAMES + PROXIED)
def test_the_rule_names_the_gpt_5_family_as_litellm_does(name: str, forwards: bool) -> None:
    assert litellm_forwards_verbosity(name) is forwards


@pytest.mark.parametrize("name", BARE)
def test_a_bare_name_gets_the_line_whatever_it_sounds_like(name: str) -> None:
    """The proxy's model list maps it to a deployment the client cannot see (`gpt-5-mini` may be
    `openai/gpt-4o` there, which refuses the field): the line is served by every model, the field is not."""
    assert litellm_forwards_verbosity(name) is False


@pytest.mark.parametrize("name", [None, 5, "", "/gpt-5", "openai/"])
def test_a_model_that_is_no_name_gets_the_line(name: object) -> None:
    assert litellm_forwards_verbosity(name) is False


@pytest.mark.timeout(180)
def test_litellm_itself_agrees_with_the_table() -> None:
    """The table is LiteLLM's answer (its venv, offline): an upgrade that moves the line fails here first.
    A `litellm_proxy/` name is asked twice: of this proxy (which passes every field on) and, for the rest
    of the name, of the next one."""
    proxied = {name: name.partition("/")[2] for name, _ in PROXIED}
    names = [name for name, _ in NAMES] + list(proxied) + [rest for rest in proxied.values() if "/" in rest]
    answers = litellm_passes_on("verbosity", names)
    assert {name: answers[name] for name, _ in NAMES} == dict(NAMES)
    assert all(answers[name] for name in proxied)  # this proxy sends it on, whatever the model
    assert {name: "/" in rest and answers[rest] for name, rest in proxied.items()} == dict(PROXIED)


# -- through the local Flow gateway -----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One way of asking for `verbosity="low"`, and what the gateway must receive."""

    name: str
    model: str
    api: str  # "chat" or "responses"
    asking: dict[str, Any]
    native: bool


CASES = [
    Case("gpt-5 chat field", GPT_5, "chat", {"verbosity": "low"}, native=True),
    Case("gpt-5 chat extra_body", GPT_5, "chat", {"extra_body": {"verbosity": "low"}}, native=True),
    Case("gpt-5 responses", GPT_5, "responses", {"text": {"verbosity": "low"}}, native=True),
    Case("claude chat field", CLAUDE, "chat", {"verbosity": "low"}, native=False),
    Case("claude chat extra_body", CLAUDE, "chat", {"extra_body": {"verbosity": "low"}}, native=False),
    Case("claude responses", CLAUDE, "responses", {"text": {"verbosity": "low"}}, native=False),
]


def _call(case: Case) -> dict[str, Any]:
    if case.api == "chat":
        return {"model": case.model, "messages": BRIEF, **case.asking}
    return {"model": case.model, "instructions": "Be brief.", "input": "Hello", **case.asking}


def _check(gateway: LocalFlowGateway, case: Case, text: str, found: og.GatewayMeta) -> None:
    assert text == DEFAULT_REPLY
    sent = gateway.calls.last.json
    if case.native:
        assert sent["verbosity"] == "low"
        assert sent["messages"] == BRIEF
    else:
        assert "verbosity" not in sent
        assert sent["messages"] == [{"role": "system", "content": f"Be brief.\n\n{LOW}"}, BRIEF[1]]
    emulated = ("verbosity",) if not case.native else ()
    assert found.emulated == emulated + (("responses",) if case.api == "responses" else ())


def _client(gateway: LocalFlowGateway) -> flow.OpenAI:
    return flow.OpenAI(base_url=gateway.base_url, auth_token=gateway.auth_token, max_retries=0)


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_sync(flow_gateway: LocalFlowGateway, case: Case, stream: bool) -> None:
    with _client(flow_gateway) as client:
        if case.api == "chat":
            answer: Any = client.chat.completions.create(**_call(case), stream=stream)
            if stream:
                text = "".join(chunk.choices[0].delta.content or "" for chunk in answer if chunk.choices)
            else:
                text = answer.choices[0].message.content
        else:
            answer = client.responses.create(**_call(case), stream=stream)
            if stream:
                text = "".join(event.delta for event in answer if event.type == "response.output_text.delta")
            else:
                text = answer.output_text
    _check(flow_gateway, case, text, og.meta(answer))


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_async(flow_gateway: LocalFlowGateway, case: Case, stream: bool) -> None:
    async with flow.AsyncOpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0
    ) as client:
        if case.api == "chat":
            answer: Any = await client.chat.completions.create(**_call(case), stream=stream)
            if stream:
                text = "".join([chunk.choices[0].delta.content or "" async for chunk in answer if chunk.choices])
            else:
                text = answer.choices[0].message.content
        else:
            answer = await client.responses.create(**_call(case), stream=stream)
            if stream:
                deltas = [event.delta async for event in answer if event.type == "response.output_text.delta"]
                text = "".join(deltas)
            else:
                text = answer.output_text
    _check(flow_gateway, case, text, og.meta(answer))


def test_a_stream_says_it_from_the_start(flow_gateway: LocalFlowGateway) -> None:
    """Before the first chunk is read, `meta(stream)` already says whether the line was used."""
    with _client(flow_gateway) as client:
        native = client.chat.completions.create(model=GPT_5, messages=BRIEF, verbosity="low", stream=True)
        assert og.meta(native).emulated == ()
        native.close()
        said = client.chat.completions.create(model=CLAUDE, messages=BRIEF, verbosity="low", stream=True)
        assert og.meta(said).emulated == ("verbosity",)
        said.close()


def test_a_model_named_in_extra_body_decides(flow_gateway: LocalFlowGateway) -> None:
    """The SDK sends `extra_body`'s `model` over the argument's: the one the gateway answers with decides."""
    with _client(flow_gateway) as client:
        completion = client.chat.completions.create(
            model=CLAUDE, messages=BRIEF, verbosity="low", extra_body={"model": GPT_5}
        )
    sent = flow_gateway.calls.last.json
    assert (sent["model"], sent["verbosity"], sent["messages"]) == (GPT_5, "low", BRIEF)
    assert og.meta(completion).emulated == ()


def test_an_undefined_verbosity_for_another_model_is_refused_before_sending(flow_gateway: LocalFlowGateway) -> None:
    expected = r"^Expected `verbosity` to be one of \['high', 'low', 'medium'\], got 'loud'$"
    with _client(flow_gateway) as client, pytest.raises(ValueError, match=expected):
        client.chat.completions.create(model=CLAUDE, messages=BRIEF, verbosity="loud")  # type: ignore[arg-type]
    assert flow_gateway.calls.to("/api/v1/gateway/v1/chat/completions") == []
