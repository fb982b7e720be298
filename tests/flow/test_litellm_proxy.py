"""flow.OpenAI against a real LiteLLM proxy (the engine of the Flow gateway), under the Flow base path.

The proxy runs from its own venv as a subprocess, offline; its upstream is a local Flow gateway, whose
faults make the provider fail so that LiteLLM's own envelopes and status mappings reach the client.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import openai
import pytest
from pydantic import BaseModel

import omnigate_openai as og
from omnigate_openai import flow
from omnigate_openai.testing._flow_model import vector_for

from ._litellm import ALIASES, ROOT_PATH, LiteLLMProxy

pytestmark = pytest.mark.timeout(300)  # the first test waits for the proxy to start (15-60 s)

HELLO: dict[str, Any] = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
UPSTREAM_CHAT = "/api/v1/gateway/v1/chat/completions"
TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Find an order",
        "parameters": {"type": "object", "properties": {"order_id": {"type": "integer"}}, "required": ["order_id"]},
    },
}


def _client(proxy: LiteLLMProxy, **kwargs: Any) -> flow.OpenAI:
    return flow.OpenAI(base_url=proxy.base_url, auth_token=proxy.master_key, max_retries=0, **kwargs)


def test_the_proxy_serves_the_flow_base_path(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        raw = client.chat.completions.with_raw_response.create(**HELLO)
    assert raw.http_request.url.path == f"{ROOT_PATH}/v1/chat/completions"
    completion = raw.parse()
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    assert completion.model == "openai/gpt-4o"
    assert litellm_proxy.upstream.calls.last.json["model"] == "openai/gpt-4o"  # the Flow name, unchanged


def test_a_second_provider_name_routes_too(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        completion = client.chat.completions.create(**{**HELLO, "model": "anthropic/claude-sonnet-4-20250514"})
    assert completion.choices[0].message.content == "Hello there! How can I help?"


def test_a_stream(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        chunks = list(client.chat.completions.create(**HELLO, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Hello there! How can I help?"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 6


async def test_an_async_stream(litellm_proxy: LiteLLMProxy) -> None:
    async with flow.AsyncOpenAI(base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key) as client:
        stream = await client.chat.completions.create(**HELLO, stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
    assert text == "Hello there! How can I help?"


def test_tools_pass_through_natively(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        completion = client.chat.completions.create(**HELLO, tools=[TOOL], tool_choice="auto")
    call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "lookup_order"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"order_id": 1}  # type: ignore[union-attr]
    assert litellm_proxy.upstream.calls.last.json["tools"][0]["function"]["name"] == "lookup_order"


def test_a_streamed_tool_call(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        chunks = list(client.chat.completions.create(**HELLO, tools=[TOOL], stream=True))
    calls = [call for chunk in chunks if chunk.choices for call in (chunk.choices[0].delta.tool_calls or [])]
    assert calls[0].function.name == "lookup_order"  # type: ignore[union-attr]
    assert json.loads("".join(call.function.arguments or "" for call in calls)) == {"order_id": 1}  # type: ignore[union-attr]


SHELL: dict[str, Any] = {"type": "custom", "custom": {"name": "shell", "description": "Runs a shell command."}}
"""A custom tool (free-form input): the upstream model calls it with the last message as its input."""


def _guarded_stream(proxy: LiteLLMProxy, mode: str, guard: og.Guard, **call: Any) -> list[Any]:
    if mode == "sync":
        with _client(proxy) as client:
            return list(client.with_guard(guard, agent_id="agent").chat.completions.create(**call, stream=True))

    async def run() -> list[Any]:
        async with flow.AsyncOpenAI(base_url=proxy.base_url, auth_token=proxy.master_key, max_retries=0) as client:
            stream = await client.with_guard(guard, agent_id="agent").chat.completions.create(**call, stream=True)
            return [chunk async for chunk in stream]

    return asyncio.run(run())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_streamed_custom_tool_call_reaches_the_guard(litellm_proxy: LiteLLMProxy, mode: str) -> None:
    """LiteLLM passes a streamed custom tool call on as it came: `custom` is no field of openai's chunk type,
    so it is an extra one, which the guard reads (name and input pieces) as it reads a function call."""
    guard = og.Guard(limits=og.Limits(max_tool_calls=5), loops=og.LoopDetection(same_answer=None))
    ask = {**HELLO, "messages": [{"role": "user", "content": "ls -la /tmp"}], "tools": [SHELL]}
    chunks = _guarded_stream(litellm_proxy, mode, guard, **ask)
    calls = [call for chunk in chunks if chunk.choices for call in chunk.choices[0].delta.tool_calls or ()]
    assert (calls[0].function, calls[0].custom["name"]) == (None, "shell")
    assert "".join(call.custom["input"] for call in calls) == "ls -la /tmp"
    assert litellm_proxy.upstream.calls.last.json["tools"] == [SHELL]
    (record,) = guard.history()
    assert (record.stream, record.tool_calls, record.error) == (True, ("shell",), None)
    assert guard.metrics().tool_calls == 1


@pytest.mark.parametrize("asking", [{"verbosity": "low"}, {"extra_body": {"verbosity": "low"}}], ids=["field", "extra"])
def test_verbosity_is_said_in_the_system_message_which_litellm_passes_on(
    litellm_proxy: LiteLLMProxy, asking: dict[str, Any]
) -> None:
    """Asked as the SDK's argument or in `extra_body` (LiteLLM answered that one 400: it was sent as given)."""
    with _client(litellm_proxy) as client:
        completion = client.chat.completions.create(**HELLO, **asking)
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert "verbosity" not in sent
    assert sent["messages"][0] == {"role": "system", "content": "Keep the answer as short as the question allows."}
    assert og.meta(completion).emulated == ("verbosity",)


GPT_5: dict[str, Any] = {**HELLO, "model": "openai/gpt-5-mini"}
"""Of the GPT-5 family, for which LiteLLM forwards `verbosity` (`llms/openai/chat/gpt_5_transformation.py`)."""


@pytest.mark.parametrize("asking", [{"verbosity": "low"}, {"extra_body": {"verbosity": "low"}}], ids=["field", "extra"])
@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_verbosity_reaches_a_gpt_5_model_as_the_field(
    litellm_proxy: LiteLLMProxy, asking: dict[str, Any], stream: bool
) -> None:
    with _client(litellm_proxy) as client:
        answer: Any = client.chat.completions.create(**GPT_5, **asking, stream=stream)
        text = _text(answer, stream)
    assert text == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert (sent["model"], sent["verbosity"]) == ("openai/gpt-5-mini", "low")
    assert sent["messages"] == GPT_5["messages"]  # no line added
    assert og.meta(answer).emulated == ()


async def test_an_async_responses_call_sends_text_verbosity_to_a_gpt_5_model(litellm_proxy: LiteLLMProxy) -> None:
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        response = await client.responses.create(model=GPT_5["model"], input="Hi", text={"verbosity": "high"})
    assert response.output_text == "Hello there! How can I help?"
    assert response.text.verbosity == "high"
    sent = litellm_proxy.upstream.calls.last.json
    assert (sent["verbosity"], sent["messages"]) == ("high", [{"role": "user", "content": "Hi"}])
    assert og.meta(response).emulated == ("responses",)


def test_a_responses_call_says_text_verbosity_for_another_model(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        response = client.responses.create(model=HELLO["model"], input="Hi", text={"verbosity": "high"})
    assert response.output_text == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert "verbosity" not in sent
    assert sent["messages"][0] == {"role": "system", "content": "Give a thorough, detailed answer."}
    assert og.meta(response).emulated == ("verbosity", "responses")


ALIAS = "gpt-5-mini"
"""A bare name in the proxy's model list, standing for `openai/gpt-4o` (`ALIASES`)."""


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_a_bare_name_gets_verbosity_said_as_its_deployment_may_refuse_the_field(
    litellm_proxy: LiteLLMProxy, stream: bool
) -> None:
    """The client cannot see what a bare name stands for: the line is served by every deployment."""
    with _client(litellm_proxy) as client:
        answer: Any = client.chat.completions.create(**{**HELLO, "model": ALIAS}, verbosity="low", stream=stream)
        text = _text(answer, stream)
    assert text == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert (sent["model"], "verbosity" in sent) == (ALIASES[ALIAS], False)
    assert sent["messages"][0] == {"role": "system", "content": "Keep the answer as short as the question allows."}
    assert og.meta(answer).emulated == ("verbosity",)


async def test_an_async_responses_call_says_text_verbosity_for_a_bare_name(litellm_proxy: LiteLLMProxy) -> None:
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        response = await client.responses.create(model=ALIAS, input="Hi", text={"verbosity": "high"})
    assert response.output_text == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert "verbosity" not in sent
    assert sent["messages"][0] == {"role": "system", "content": "Give a thorough, detailed answer."}
    assert og.meta(response).emulated == ("verbosity", "responses")


@pytest.mark.parametrize("model", [HELLO["model"], ALIAS], ids=["another-model", "bare-name-of-gpt-4o"])
def test_litellm_refuses_the_verbosity_field_itself(litellm_proxy: LiteLLMProxy, model: str) -> None:
    """Why the client does not send it: posted past the client, the field itself is a 400, for another model
    and for a bare name that sounds like GPT-5 (its deployment decides, and refuses)."""
    request = urllib.request.Request(
        f"{litellm_proxy.base_url}{ROOT_PATH}/v1/chat/completions",
        data=json.dumps({**HELLO, "model": model, "verbosity": "low"}).encode(),
        headers={"Authorization": f"Bearer {litellm_proxy.master_key}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 400
    assert "does not support parameters: ['verbosity']" in caught.value.read().decode()


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_a_responses_call_sends_the_reasoning_effort_to_a_gpt_5_model(
    litellm_proxy: LiteLLMProxy, stream: bool
) -> None:
    """LiteLLM passes `reasoning_effort` on for the GPT-5 family; before, the translation refused `reasoning`."""
    with _client(litellm_proxy) as client:
        answer: Any = client.responses.create(
            model=GPT_5["model"], input="Hi", reasoning={"effort": "low"}, stream=stream
        )
        text = _output_text(answer, stream)
    assert text == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert (sent["model"], sent["reasoning_effort"]) == (GPT_5["model"], "low")


async def test_an_async_responses_call_sends_the_reasoning_effort_to_a_gpt_5_model(
    litellm_proxy: LiteLLMProxy,
) -> None:
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        response = await client.responses.create(model=GPT_5["model"], input="Hi", reasoning={"effort": "high"})
    assert response.output_text == "Hello there! How can I help?"
    assert response.reasoning is not None
    assert response.reasoning.effort == "high"
    assert litellm_proxy.upstream.calls.last.json["reasoning_effort"] == "high"


def test_a_responses_call_with_a_reasoning_effort_for_another_model_is_refused(litellm_proxy: LiteLLMProxy) -> None:
    before = len(litellm_proxy.upstream.calls.to(UPSTREAM_CHAT))
    with _client(litellm_proxy) as client, pytest.raises(og.UnsupportedFeatureError) as caught:
        client.responses.create(model=HELLO["model"], input="Hi", reasoning={"effort": "low"})
    assert caught.value.field == "reasoning"
    assert "'openai/gpt-4o' is not one" in str(caught.value)
    assert len(litellm_proxy.upstream.calls.to(UPSTREAM_CHAT)) == before


GPT_5_5 = "openai/gpt-5.5"
"""Reasons unless told `reasoning_effort="none"`; LiteLLM refuses its temperature but 1 while it does."""


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_a_responses_call_turning_reasoning_off_keeps_its_temperature(
    litellm_proxy: LiteLLMProxy, stream: bool
) -> None:
    """Before, `effort="none"` was dropped as asking for nothing: the model would reason, and LiteLLM answered the
    temperature with a 400 (`UnsupportedParamsError`)."""
    with _client(litellm_proxy) as client:
        answer: Any = client.responses.create(
            model=GPT_5_5, input="Hi", temperature=0.2, reasoning={"effort": "none"}, stream=stream
        )
        text = _output_text(answer, stream)
    assert text == "Hello there! How can I help?"
    sent = litellm_proxy.upstream.calls.last.json
    assert (sent["model"], sent["reasoning_effort"], sent["temperature"]) == (GPT_5_5, "none", 0.2)


async def test_an_async_responses_call_turning_reasoning_off_keeps_its_temperature(
    litellm_proxy: LiteLLMProxy,
) -> None:
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        response = await client.responses.create(
            model=GPT_5_5, input="Hi", temperature=0.2, reasoning={"effort": "none"}
        )
    assert response.output_text == "Hello there! How can I help?"
    assert litellm_proxy.upstream.calls.last.json["reasoning_effort"] == "none"


class Order(BaseModel):
    order_id: int
    status: str


def test_structured_output_passes_through_and_parses(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        parsed = client.chat.completions.parse(**HELLO, response_format=Order)
    assert parsed.choices[0].message.parsed == Order(order_id=1, status="example")
    assert litellm_proxy.upstream.calls.last.json["response_format"]["json_schema"]["name"] == "Order"


def test_embeddings(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        result = client.embeddings.create(model="openai/text-embedding-3-small", input=["alpha", "beta"])
    assert [item.embedding for item in result.data] == [vector_for("alpha"), vector_for("beta")]
    assert result.model == "openai/text-embedding-3-small"


def test_models_through_the_gateway_namespace(litellm_proxy: LiteLLMProxy) -> None:
    with _client(litellm_proxy) as client:
        names = {model.id for model in client.gateway.models()}
    assert names == {
        "openai/gpt-4o",
        "openai/gpt-5-mini",
        "openai/gpt-5.5",
        "anthropic/claude-sonnet-4-20250514",
        "openai/text-embedding-3-small",
        "gpt-5-mini",  # a bare alias of the model list is listed as it is named
    }


# -- errors, in LiteLLM's own envelope and mapping ---------------------------------------------------


def test_an_unknown_model_is_model_not_found(litellm_proxy: LiteLLMProxy) -> None:
    """LiteLLM answers 400 `Invalid model name passed in model=...` where the platform answers 404."""
    with _client(litellm_proxy) as client, pytest.raises(flow.GatewayModelNotFoundError) as caught:
        client.chat.completions.create(**{**HELLO, "model": "openai/gpt-9"})
    assert isinstance(caught.value, openai.BadRequestError)
    assert caught.value.model == "openai/gpt-9"
    assert "Invalid model name passed in model=openai/gpt-9" in str(caught.value)


def test_a_wrong_root_is_a_url_not_found(litellm_proxy: LiteLLMProxy) -> None:
    """LiteLLM's router answers FastAPI's `{"detail": "Not Found"}` for a path it has no route for."""
    root = litellm_proxy.base_url + "/platform"
    client = flow.OpenAI(base_url=root, auth_token=litellm_proxy.master_key, max_retries=0)
    with client, pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, flow.APIError)
    assert not isinstance(caught.value, flow.ModelNotFoundError)
    assert str(caught.value).startswith(f"URL not found: POST {root}{ROOT_PATH}/v1/chat/completions answered 404")
    assert "Check `base_url` (or `PLATFORM_API_URL`)" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "raises", "also", "words"),
    [
        (429, flow.RateLimitError, openai.RateLimitError, "litellm.RateLimitError: RateLimitError: OpenAIException"),
        (502, flow.ProviderError, openai.InternalServerError, "litellm.BadGatewayError"),
        (404, flow.ModelNotFoundError, openai.NotFoundError, "litellm.NotFoundError"),
        (401, flow.ProviderError, openai.AuthenticationError, "litellm.AuthenticationError"),
        (500, flow.APIError, openai.InternalServerError, "litellm.InternalServerError"),
    ],
)
@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_a_provider_failure_arrives_typed(
    litellm_proxy: LiteLLMProxy, status: int, raises: type[Exception], also: type[Exception], words: str, stream: bool
) -> None:
    litellm_proxy.upstream.faults.respond(status, "the provider says no", envelope="litellm", path=UPSTREAM_CHAT)
    with _client(litellm_proxy) as client, pytest.raises(raises) as caught:
        _call(client, stream=stream)
    assert isinstance(caught.value, also)
    assert words in str(caught.value)
    assert "the provider says no" in str(caught.value)
    assert litellm_proxy.master_key not in str(caught.value)
    assert not litellm_proxy.upstream.faults.pending


def _call(client: flow.OpenAI, *, stream: bool) -> None:
    if stream:
        list(client.chat.completions.create(**HELLO, stream=True))
    else:
        client.chat.completions.create(**HELLO)


def test_a_provider_refusing_its_key_does_not_renew_the_platform_token(litellm_proxy: LiteLLMProxy) -> None:
    """A 401 in LiteLLM's words is the provider's: the platform token was accepted, renewing it cannot help."""
    renewals: list[str] = []

    def renew() -> str:
        renewals.append("called")
        return litellm_proxy.master_key

    litellm_proxy.upstream.faults.respond(401, "Incorrect API key provided", envelope="litellm", path=UPSTREAM_CHAT)
    before = len(litellm_proxy.upstream.calls.to(UPSTREAM_CHAT))
    with _client(litellm_proxy, on_auth_token_refresh=renew) as client, pytest.raises(flow.ProviderError) as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.AuthenticationError)
    assert not isinstance(caught.value, flow.AuthError)
    assert (caught.value.provider, caught.value.upstream_status) == ("openai", 401)
    assert renewals == []
    assert len(litellm_proxy.upstream.calls.to(UPSTREAM_CHAT)) == before + 1


async def test_an_async_rate_limit_arrives_typed(litellm_proxy: LiteLLMProxy) -> None:
    litellm_proxy.upstream.faults.respond(429, "slow down", envelope="platform", path=UPSTREAM_CHAT)
    async with flow.AsyncOpenAI(
        base_url=litellm_proxy.base_url, auth_token=litellm_proxy.master_key, max_retries=0
    ) as client:
        with pytest.raises(flow.GatewayRateLimitError, match="slow down"):
            await client.chat.completions.create(**HELLO)


def test_a_provider_failing_mid_stream_is_a_typed_error(litellm_proxy: LiteLLMProxy) -> None:
    litellm_proxy.upstream.faults.cut_stream(after=2, error="upstream broke mid-stream", status=500, path=UPSTREAM_CHAT)
    received: list[Any] = []
    with _client(litellm_proxy) as client:
        stream = client.chat.completions.create(**HELLO, stream=True)
        with pytest.raises(flow.ProviderError) as caught:
            received.extend(stream)
    assert isinstance(caught.value, flow.ProviderError)  # LiteLLM forwards it as its own in-band error frame
    assert isinstance(caught.value, openai.InternalServerError)
    assert caught.value.status_code == 500
    assert caught.value.provider == "openai"
    assert len(received) == 2  # what arrived before the failure was delivered
    assert "upstream broke mid-stream" in str(caught.value)


def test_a_key_the_proxy_does_not_know(litellm_proxy: LiteLLMProxy) -> None:
    """Without a database LiteLLM cannot look a virtual key up: it answers 400 `No connected db.`"""
    client = flow.OpenAI(base_url=litellm_proxy.base_url, auth_token="not-the-master-key", max_retries=0)
    with client, pytest.raises(flow.APIError, match="No connected db") as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.BadRequestError)
    assert "not-the-master-key" not in str(caught.value)


def test_the_responses_api_over_the_proxy(litellm_proxy: LiteLLMProxy) -> None:
    """Served over LiteLLM's chat completions, tools native there: plain, with a tool call, and streamed."""
    tool = {"type": "function", **TOOL["function"]}
    with _client(litellm_proxy) as client:
        plain = client.responses.create(model=HELLO["model"], input="Hi")
        called = client.responses.create(model=HELLO["model"], input="Where is order 7?", tools=[tool])
        events = list(client.responses.create(model=HELLO["model"], input="Hi", stream=True))
    assert plain.output_text == "Hello there! How can I help?"
    assert og.meta(plain).emulated == ("responses",)
    (call,) = [item for item in called.output if item.type == "function_call"]
    assert call.name == "lookup_order"
    assert isinstance(json.loads(call.arguments)["order_id"], int)
    assert litellm_proxy.upstream.calls.last.json["messages"] == [{"role": "user", "content": "Hi"}]
    assert events[-1].type == "response.completed"


def _output_text(answer: Any, stream: bool) -> str:
    """A Responses answer's text: the response's, or the stream's text deltas read to its end."""
    if stream:
        return "".join(event.delta for event in answer if event.type == "response.output_text.delta")
    text: str = answer.output_text
    return text


def _text(answer: Any, stream: bool) -> str:
    """A chat answer's text: the completion's, or the stream's deltas read to its end."""
    if stream:
        return "".join(chunk.choices[0].delta.content or "" for chunk in answer if chunk.choices)
    content: str = answer.choices[0].message.content
    return content
