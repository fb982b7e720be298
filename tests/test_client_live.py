"""What reaches the gateway: headers, rewritten bodies, and nothing at all for refused requests."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from omnigate_openai.testing import LocalGateway

HELLO: dict[str, Any] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


def test_every_call_carries_the_gateway_headers(local_gateway: LocalGateway) -> None:
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, user_id="u-7") as client:
        client.chat.completions.create(**HELLO)
        client.models.list()
        client.with_user("u-8").chat.completions.create(**HELLO)
        client.chat.completions.create(**HELLO, extra_headers={"x-user-id": "u-9"})
    # The first chat call fetches the gateway's prices (`/v1/models`) once, to price calls.
    assert [c.headers.get("x-user-id") for c in local_gateway.calls] == ["u-7", "u-7", "u-7", "u-8", "u-9"]
    assert all(c.headers["x-api-key"] == local_gateway.api_key for c in local_gateway.calls)
    assert not any("authorization" in c.headers or "openai-organization" in c.headers for c in local_gateway.calls)


def test_copies_keep_or_replace_the_gateway_url(local_gateway: LocalGateway) -> None:
    """A copy on the same gateway reuses the parsed URL; one given another URL must really use it."""
    with (
        LocalGateway() as elsewhere,
        og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client,
    ):
        same = client.with_user("u-1").with_options(timeout=5.0)
        moved = same.with_options(base_url=elsewhere.base_url, api_key=elsewhere.api_key)
        assert str(same.base_url) == str(client.base_url) == local_gateway.base_url + "/"
        assert str(moved.base_url) == str(moved.with_user("u-2").base_url) == elsewhere.base_url + "/"
        same.chat.completions.create(**HELLO)
        moved.chat.completions.create(**HELLO)
        assert [c.headers.get("x-user-id") for c in local_gateway.calls.to("/v1/chat/completions")] == ["u-1"]
        assert [c.headers.get("x-user-id") for c in elsewhere.calls.to("/v1/chat/completions")] == ["u-1"]


async def test_async_copies_keep_or_replace_the_gateway_url(local_gateway: LocalGateway) -> None:
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        same = client.with_user("u-1")
        moved = same.copy(base_url="http://127.0.0.1:9/v1")
        assert str(same.base_url) == local_gateway.base_url + "/"
        assert (str(moved.base_url), moved.user_id) == ("http://127.0.0.1:9/v1/", "u-1")


def test_the_body_user_becomes_the_attribution_header(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    client.chat.completions.create(**HELLO, user="end-user-1")
    assert local_gateway.calls.last.headers["x-user-id"] == "end-user-1"


def test_a_calls_user_wins_over_the_clients(local_gateway: LocalGateway) -> None:
    """Per call beats per client, as `extra_headers` does; `extra_headers` beats both."""
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, user_id="u-42") as client:
        client.chat.completions.create(**HELLO)
        client.chat.completions.create(**HELLO, user="u-45")
        client.with_user("u-43").chat.completions.create(**HELLO, user="u-46")
        client.chat.completions.create(**HELLO, user="u-45", extra_headers={"x-user-id": "u-44"})
        client.with_routing(cache=False).chat.completions.create(**HELLO, user="u-47")
    sent = [call.headers["x-user-id"] for call in local_gateway.calls if call.path.startswith("/v1/chat")]
    assert sent == ["u-42", "u-45", "u-46", "u-44", "u-47"]
    assert [row.user_id for row in local_gateway.state.usage] == sent


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_calls_headers_replace_the_clients_whatever_their_case(local_gateway: LocalGateway, kind: str) -> None:
    """As openai 3.x merges them; openai 2.x alone sent both values ("u-1, u-2") or kept one the call omitted."""
    options = {
        "base_url": local_gateway.base_url,
        "api_key": local_gateway.api_key,
        "user_id": "u-1",
        "default_headers": {"X-Trace-Id": "client"},
    }
    calls = [
        {"X-USER-ID": "u-2", "x-trace-id": "call"},
        {"x-User-Id": openai.Omit(), "X-TRACE-ID": "again"},
    ]
    if kind == "sync":
        with og.OpenAI(**options) as client:
            for headers in calls:
                client.chat.completions.create(**HELLO, extra_headers=headers)
    else:

        async def run() -> None:
            async with og.AsyncOpenAI(**options) as client:
                for headers in calls:
                    await client.chat.completions.create(**HELLO, extra_headers=headers)

        asyncio.run(run())
    chats = local_gateway.calls.to("/v1/chat/completions")
    sent = [(call.headers.get("x-user-id"), call.headers.get("x-trace-id")) for call in chats]
    assert sent == [("u-2", "call"), (None, "again")]


async def test_async_a_calls_user_wins_over_the_clients(local_gateway: LocalGateway) -> None:
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, user_id="u-42") as client:
        await client.chat.completions.create(**HELLO, user="u-45")
    assert local_gateway.calls.last.headers["x-user-id"] == "u-45"


def test_portable_names_and_text_parts_arrive_rewritten(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    parts = [{"type": "text", "text": "Say "}, {"type": "text", "text": "hello."}]
    completion = client.chat.completions.create(
        model="anthropic/claude-3-5-haiku-latest", messages=[{"role": "user", "content": parts}]
    )
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    sent = local_gateway.calls.last.json
    assert sent["model"] == "claude-3-5-haiku-latest"
    assert sent["messages"] == [{"role": "user", "content": "Say \nhello."}]


@pytest.mark.parametrize(
    ("extra", "field", "settings"),
    [
        (
            {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]},
            "tools",
            {"emulate_tools": False},
        ),
        ({"response_format": {"type": "json_object"}}, "response_format", {"emulate_tools": False}),
        (
            {"messages": [{"role": "tool", "content": "42", "tool_call_id": "c1"}]},
            "messages[0].role",
            {"emulate_tools": False},
        ),
        ({"n": 2}, "n", {}),
        ({"stream": True, "extra_body": {"fallback_models": ["claude-3-5-haiku-latest"]}}, "fallback_models", {}),
        (
            {"tools": [{"type": "custom", "custom": {"name": "grep"}}]},
            "tools[0]",
            {},
        ),
    ],
)
def test_refused_requests_never_reach_the_gateway(
    local_gateway: LocalGateway, extra: dict[str, Any], field: str, settings: dict[str, Any]
) -> None:
    with (
        og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0, **settings) as client,
        pytest.raises(og.UnsupportedFeatureError) as caught,
    ):
        client.chat.completions.create(**{**HELLO, **extra})
    assert caught.value.field == field
    assert local_gateway.calls.to("/v1/chat/completions") == []
    assert local_gateway.calls.to("/v1/chat") == []


async def test_async_refusal_never_reaches_the_gateway(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway
) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match="`tool_choice`"):
        await async_client.chat.completions.create(**HELLO, tool_choice="required")
    assert local_gateway.calls.to("/v1/chat/completions") == []


def test_the_opt_out_sends_what_the_gateway_ignores(local_gateway: LocalGateway) -> None:
    url, key = local_gateway.base_url, local_gateway.api_key
    with og.OpenAI(base_url=url, api_key=key, allow_ignored_fields=True, emulate_tools=False) as c:
        completion = c.chat.completions.create(**HELLO, response_format={"type": "json_object"})
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    assert local_gateway.calls.last.json["response_format"] == {"type": "json_object"}


def test_no_key_reaches_the_logs(local_gateway: LocalGateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        client.chat.completions.create(**HELLO)
        with pytest.raises(og.AuthError) as caught:
            client.copy(api_key=fake_key("llmg_", "wrong_key_0123456789abcdef")).chat.completions.create(**HELLO)
    assert caplog.records
    assert local_gateway.api_key not in caplog.text
    assert fake_key("llmg_", "wrong_key_0123456789abcdef") not in caplog.text
    assert fake_key("llmg_", "wrong_key_0123456789abcdef") not in f"{caught.value!r} {caught.value}"


HI: list[Any] = [{"role": "user", "content": "Hi"}]


@pytest.mark.parametrize("emulate_tools", [True, False])
def test_parse_keeps_the_metadata(local_gateway: LocalGateway, emulate_tools: bool) -> None:
    """`.parse()` builds a new `ParsedChatCompletion` from the completion: the metadata must ride over."""
    gateway = {"base_url": local_gateway.base_url, "api_key": local_gateway.api_key}
    with og.OpenAI(**gateway, emulate_tools=emulate_tools) as client:
        created = og.meta(client.chat.completions.create(model="gpt-4o-mini", messages=HI))
        parsed = client.chat.completions.parse(model="gpt-4o-mini", messages=HI)
        raw = client.chat.completions.with_raw_response.parse(model="gpt-4o-mini", messages=HI).parse()
    for result in (parsed, raw):
        assert type(result).__name__.startswith("ParsedChatCompletion")
        found = og.meta(result)
        assert (found.provider, found.cost_usd) == ("openai", created.cost_usd)
        assert found.cost_usd  # priced: not None, not 0
        assert found.request_id not in (None, created.request_id)


async def test_async_parse_keeps_the_metadata(local_gateway: LocalGateway) -> None:
    async with og.AsyncOpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        created = og.meta(await client.chat.completions.create(model="gpt-4o-mini", messages=HI))
        parsed = await client.chat.completions.parse(model="gpt-4o-mini", messages=HI)
    assert (og.meta(parsed).provider, og.meta(parsed).cost_usd) == ("openai", created.cost_usd)
