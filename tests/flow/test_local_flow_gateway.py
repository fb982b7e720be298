"""The local Flow gateway on its own, driven by the plain `openai` SDK: its wire shapes and its strictness."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from omnigate_openai.testing import LocalFlowGateway

HELLO: dict[str, Any] = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def _plain(gateway: LocalFlowGateway, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.gateway_url, api_key=key or gateway.auth_token, max_retries=0)


def test_the_plain_sdk_talks_to_it(flow_gateway: LocalFlowGateway) -> None:
    with _plain(flow_gateway) as client:
        completion = client.chat.completions.create(**HELLO)
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (4, 6)


@pytest.mark.parametrize(
    ("envelope", "body"),
    [
        ("platform", {"code": "RATE_LIMITED", "message": "Slow down", "details": []}),
        ("litellm", {"error": {"message": "Slow down", "type": "rate_limit_error", "param": None, "code": "429"}}),
        ("fastapi", {"detail": "Slow down"}),
    ],
)
def test_each_envelope_as_sent(flow_gateway: LocalFlowGateway, envelope: Any, body: dict[str, Any]) -> None:
    flow_gateway.faults.respond(429, "Slow down", envelope=envelope, retry_after=2)
    with _plain(flow_gateway) as client, pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(**HELLO)
    assert caught.value.response.json() == body
    assert caught.value.response.headers["retry-after"] == "2"


def test_plain_text_errors(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.faults.respond(502, "Bad Gateway", envelope="text")
    with _plain(flow_gateway) as client, pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(**HELLO)
    assert caught.value.response.text == "Bad Gateway"


def test_an_expired_token_and_a_fresh_one(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    with _plain(flow_gateway) as client, pytest.raises(openai.AuthenticationError) as caught:
        client.models.list()
    assert caught.value.response.json() == {"code": "TOKEN_EXPIRED", "message": "Token has expired", "details": []}
    with _plain(flow_gateway, flow_gateway.issue_token()) as client:
        assert client.models.list().data
    assert flow_gateway.tokens_issued == 2


def test_unknown_paths_answer_like_fastapi(flow_gateway: LocalFlowGateway) -> None:
    with _plain(flow_gateway) as client, pytest.raises(openai.NotFoundError) as caught:
        client.images.generate(prompt="a cat")
    assert caught.value.response.json() == {"detail": "Not Found"}


def test_a_fault_never_hit_fails_the_with_block() -> None:
    gateway = LocalFlowGateway()
    with pytest.raises(AssertionError, match="never hit: respond 500 x1"), gateway:
        gateway.faults.respond(500)


def test_it_stops_cleanly_and_says_so() -> None:
    with LocalFlowGateway() as gateway:
        assert repr(gateway) == f"<LocalFlowGateway {gateway.base_url}>"
    assert repr(gateway) == "<LocalFlowGateway stopped>"
    with pytest.raises(RuntimeError, match="not running"):
        _ = gateway.base_url


CITY_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {
        "name": "City",
        "schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def test_after_a_tool_result_a_json_schema_format_is_honoured(flow_gateway: LocalFlowGateway) -> None:
    """An agent with tools and a structured answer: once the tool has answered, the model answers in the schema."""
    history = [
        {"role": "user", "content": "Where is it sunny?"},
        {"role": "assistant", "tool_calls": [_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "Paris"},
    ]
    with _plain(flow_gateway) as client:
        formatted = client.chat.completions.create(model=HELLO["model"], messages=history, response_format=CITY_FORMAT)
        plain = client.chat.completions.create(model=HELLO["model"], messages=history)
    assert formatted.choices[0].message.content == '{"city": "example"}'
    assert plain.choices[0].message.content == "The tool said: Paris"


_CALL: dict[str, Any] = {"id": "call_1", "type": "function", "function": {"name": "sunny_city", "arguments": "{}"}}
