"""The name a framework judges a Flow model by (`FlowProfile.judged_model_name`), held to what LiteLLM does with
the model's `temperature` and to what LangChain then sends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from omnigate_openai import flow
from omnigate_openai.integrations.langchain import chat_model
from omnigate_openai.testing import LocalFlowGateway

from ._litellm import ask_litellm

NAMES = [  # a Flow name, the name it is judged by, whether LiteLLM 1.108.7 refuses `temperature=0.2` for it
    ("openai/gpt-5-mini", "gpt-5-mini", True),
    ("openai/gpt-5-codex", "gpt-5-codex", True),
    ("openai/gpt-5-search-api", "gpt-5-search-api", True),
    ("openai/gpt-6", "gpt-5", True),  # LiteLLM's GPT-5 config serves these, though no model part starts `gpt-5`
    ("openai/ft:gpt-5-mini:org::abc", "gpt-5", True),
    ("azure/gpt-5", "gpt-5", True),
    ("azure/my-gpt-5-deployment", "gpt-5", True),
    ("azure/gpt5_series/my-deployment", "gpt-5", True),
    ("azure_ai/gpt-5", "gpt-5", True),
    ("chatgpt/gpt-5", "gpt-5", True),
    ("github_copilot/gpt-5-mini", "gpt-5-mini", True),
    ("ragflow/chat/my-chat/gpt-5", "gpt-5", True),
    ("azure/gpt-5-demo1", "gpt-5-demo1", True),  # Azure's o-series config: it refuses the temperature too
    ("openai/o3", "o3", True),
    # LangChain drops these, as for the bare name, though LiteLLM would take them (GPT-5.1 reasons at "none" by
    # default; Bedrock's and OpenRouter's configs pass it on): the model then answers at its default, 1
    ("openai/gpt-5.1", "gpt-5.1", False),
    ("bedrock_mantle/openai.gpt-5", "gpt-5", False),
    ("openrouter/openai/gpt-5", "gpt-5", False),
    ("openai/gpt-5-chat-latest", "gpt-5-chat-latest", False),
    ("azure/gpt-5-chat", "gpt-5-chat", False),
    ("openai/gpt-4o", "gpt-4o", False),
    ("ragflow/chat/my-chat/gpt-4o", "gpt-4o", False),
    ("anthropic/claude-sonnet-4-20250514", "claude-sonnet-4-20250514", False),
]

PROXIED = [  # `litellm_proxy/<name>`: passed on whole; the next LiteLLM proxy judges `<name>`
    ("litellm_proxy/openai/gpt-5-mini", "gpt-5-mini", True),
    ("litellm_proxy/azure/my-gpt-5-deployment", "gpt-5", True),
    ("litellm_proxy/openai/gpt-4o", "gpt-4o", False),
]

O_SERIES = {"openai/o3"}
"""LangChain sends a temperature to an o-series model by its bare name too (it only defaults `o1`'s to 1),
and OpenAI refuses it as LiteLLM does: not a Flow name's doing, and no name the model could be judged by
instead would fix it without misjudging the rest (its role, its profile)."""

_ASK_LITELLM = """
import json, sys
import litellm
from litellm.litellm_core_utils.get_llm_provider_logic import resolve_model_and_provider_for_metadata
from litellm.utils import get_optional_params
answers = {}
for name in json.loads(sys.argv[1]):
    # As `completion` does: the provider and model from the name, then that provider's mapping of the call's
    # parameters, which refuses what the model does not take (no `drop_params`).
    model, provider = resolve_model_and_provider_for_metadata(name)
    try:
        get_optional_params(model=model, custom_llm_provider=provider, temperature=0.2)
        answers[name] = False
    except litellm.utils.UnsupportedParamsError:
        answers[name] = True
print(json.dumps(answers))
"""


@pytest.fixture
def client(flow_gateway: LocalFlowGateway) -> Iterator[flow.OpenAI]:
    with flow.OpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, max_retries=0) as client:
        yield client


@pytest.mark.parametrize(("name", "judged", "refused"), NAMES + PROXIED)
def test_the_judged_name(name: str, judged: str, refused: bool) -> None:  # noqa: ARG001
    assert flow.FlowProfile().judged_model_name(name) == judged


@pytest.mark.parametrize("name", ["gpt-5-mini", "my-gpt-5-alias", "gpt-4o", ""])
def test_a_bare_name_is_judged_as_it_is(name: str) -> None:
    """An alias of the proxy's model list: its deployment is unseen, so LangChain judges the name it was given."""
    assert flow.FlowProfile().judged_model_name(name) == name


@pytest.mark.timeout(180)
def test_litellm_itself_agrees_with_the_table() -> None:
    """LiteLLM's answer (its venv, offline); a `litellm_proxy/` name is asked of this proxy (which passes the
    temperature on) and, for the rest of the name, of the next one."""
    proxied = {name: name.partition("/")[2] for name, _, _ in PROXIED}
    answers = ask_litellm(_ASK_LITELLM, [name for name, _, _ in NAMES] + list(proxied) + list(proxied.values()))
    assert {name: answers[name] for name, _, _ in NAMES} == {name: refused for name, _, refused in NAMES}
    assert not any(answers[name] for name in proxied)
    assert {name: answers[rest] for name, rest in proxied.items()} == {name: refused for name, _, refused in PROXIED}


@pytest.mark.parametrize(("name", "judged", "refused"), NAMES + PROXIED)
def test_langchain_sends_no_temperature_litellm_would_refuse(
    client: flow.OpenAI,
    name: str,
    judged: str,  # noqa: ARG001
    refused: bool,
) -> None:
    model = chat_model(client, model=name, temperature=0.2)
    assert model.model_name == name  # sent as the gateway routes it
    sent = model.temperature == 0.2
    assert not (sent and refused) or name in O_SERIES
