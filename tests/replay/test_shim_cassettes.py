"""The shim's own cassettes (`cassettes/` at the repository root), recorded from the local gateway.

Every error class, both stream dialects and every endpoint, replayed with no server running.
`make cassettes` (`pytest tests/replay --record-mode=rewrite`) records them again: each test then
talks to a fresh local gateway, and sets its faults through `omnigate_gateway`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

HELLO = [{"role": "user", "content": "Say hello."}]
REPLY = "Hello there! How can I help?"
WRONG_KEY = fake_key("llmg_", "not-a-key-of-this-gateway-0000000000000000")


def _say(marker: str) -> list[dict[str, str]]:
    """A prompt carrying one of the local gateway's fault markers, so the request itself holds the fault."""
    return [{"role": "user", "content": f"Say hello. {marker}"}]


@dataclass(frozen=True)
class ChatCase:
    """One `chat.completions.create` call, the fault behind it, and the error the shim must raise."""

    name: str
    body: dict[str, Any]
    raises: type[og.GatewayError]
    also: type[openai.OpenAIError]
    message: str
    fields: dict[str, object] = field(default_factory=dict)
    setup: Callable[[LocalGateway], None] | None = None
    api_key: str | None = None


ERRORS = [
    ChatCase("gateway_401", {"model": "gpt-4o-mini", "messages": HELLO}, og.AuthError, openai.AuthenticationError,
             "Invalid API key", api_key=WRONG_KEY),
    ChatCase("provider_401", {"model": "gpt-4o-mini", "messages": _say("FAULT:401")}, og.ProviderError,
             openai.AuthenticationError, "OpenAI error 401: ", {"provider": "openai", "upstream_status": 401}),
    ChatCase("provider_429", {"model": "gpt-4o-mini", "messages": _say("FAULT:429")}, og.ProviderError,
             openai.RateLimitError, "OpenAI error 429: ",
             {"provider": "openai", "upstream_status": 429, "source": "provider", "retry_after": None}),
    ChatCase("provider_500", {"model": "gpt-4o-mini", "messages": _say("FAULT:500")}, og.ProviderError,
             openai.InternalServerError, "OpenAI error 500: ", {"provider": "openai", "upstream_status": 500}),
    ChatCase("anthropic_529", {"model": "claude-3-5-haiku-latest", "messages": _say("FAULT:529")}, og.ProviderError,
             openai.InternalServerError, "Anthropic error 529: ", {"provider": "anthropic", "upstream_status": 529}),
    ChatCase("circuit_open", {"model": "gpt-4o-mini", "messages": HELLO}, og.ProviderError,
             openai.InternalServerError, "openai circuit is open", {"provider": "openai", "circuit_open": True},
             setup=lambda gateway: gateway.faults.open_circuit("openai")),
    ChatCase("unknown_model", {"model": "llama-3-70b", "messages": HELLO}, og.ModelNotFoundError,
             openai.BadRequestError, "No provider registered for model 'llama-3-70b'", {"model": "llama-3-70b"}),
    ChatCase("budget", {"model": "gpt-4o-mini", "messages": HELLO}, og.BudgetExceededError, openai.APIStatusError,
             "Organisation monthly budget exceeded", {"scope": "org", "period": "monthly"},
             setup=lambda gateway: gateway.faults.exhaust_budget("org", "monthly")),
    ChatCase("gateway_429", {"model": "gpt-4o-mini", "messages": HELLO}, og.RateLimitError, openai.RateLimitError,
             "Rate limit exceeded", {"source": "gateway"}, setup=lambda gateway: gateway.faults.rate_limit()),
    ChatCase("validation_422", {"model": "gpt-4o-mini", "messages": HELLO, "temperature": 3}, og.APIError,
             openai.UnprocessableEntityError, "body.temperature: Input should be less than or equal to 2"),
]  # fmt: skip

STREAM_ERRORS = [
    ChatCase("stream_midstream", {"model": "gpt-4o-mini", "messages": _say("FAULT:MIDSTREAM:3")}, og.ProviderError,
             openai.InternalServerError, "", {"upstream_status": None, "status_code": 502}),
    ChatCase("stream_provider_401", {"model": "gpt-4o-mini", "messages": _say("FAULT:401")}, og.ProviderError,
             openai.AuthenticationError, "OpenAI error 401: ", {"upstream_status": 401, "status_code": 401}),
    ChatCase("stream_unknown_model", {"model": "llama-3-70b", "messages": HELLO}, og.ModelNotFoundError,
             openai.BadRequestError, "No provider registered for model 'llama-3-70b'"),
]  # fmt: skip

PREFIX_BEFORE_ERROR = {"stream_midstream": "Hello there!", "stream_provider_401": "", "stream_unknown_model": ""}


def _cassette(case: ChatCase) -> Any:
    return pytest.param(case, id=case.name, marks=pytest.mark.omnigate_cassette(f"chat_{case.name}"))


def _assert_raised(error: BaseException, case: ChatCase) -> None:
    assert type(error).__name__ == case.raises.__name__, repr(error)
    assert isinstance(error, case.raises)
    assert isinstance(error, case.also)
    assert str(error).startswith(case.message), str(error)
    for name, value in case.fields.items():
        assert getattr(error, name) == value, (name, getattr(error, name))
    if case.name == "gateway_429":
        assert isinstance(error, og.RateLimitError)
        assert error.retry_after is not None
        assert error.retry_after > 0
    if case.raises is og.AuthError:
        assert not isinstance(error, og.ProviderError)


def _client(omnigate_client: og.OpenAI, case: ChatCase) -> og.OpenAI:
    return omnigate_client.with_options(api_key=case.api_key) if case.api_key else omnigate_client


def _aclient(omnigate_async_client: og.AsyncOpenAI, case: ChatCase) -> og.AsyncOpenAI:
    return omnigate_async_client.with_options(api_key=case.api_key) if case.api_key else omnigate_async_client


# -- every error class -----------------------------------------------------------------------------


@pytest.mark.parametrize("case", [_cassette(case) for case in ERRORS])
def test_sync_error_replays_as_the_same_typed_error(
    case: ChatCase, omnigate_client: og.OpenAI, omnigate_gateway: LocalGateway | None
) -> None:
    if omnigate_gateway is not None and case.setup is not None:
        case.setup(omnigate_gateway)
    with pytest.raises(og.APIError) as caught:
        _client(omnigate_client, case).chat.completions.create(**case.body)
    _assert_raised(caught.value, case)


@pytest.mark.parametrize("case", [_cassette(case) for case in ERRORS])
async def test_async_error_replays_as_the_same_typed_error(
    case: ChatCase, omnigate_async_client: og.AsyncOpenAI, omnigate_gateway: LocalGateway | None
) -> None:
    if omnigate_gateway is not None and case.setup is not None:
        case.setup(omnigate_gateway)
    with pytest.raises(og.APIError) as caught:
        await _aclient(omnigate_async_client, case).chat.completions.create(**case.body)
    _assert_raised(caught.value, case)


@pytest.mark.parametrize("case", [_cassette(case) for case in STREAM_ERRORS])
def test_sync_stream_error_replays_after_the_same_chunks(case: ChatCase, omnigate_client: og.OpenAI) -> None:
    texts: list[str] = []

    def read() -> None:
        for chunk in omnigate_client.chat.completions.create(**case.body, stream=True):
            texts.append(chunk.choices[0].delta.content or "" if chunk.choices else "")

    with pytest.raises(og.APIError) as caught:
        read()
    assert "".join(texts) == PREFIX_BEFORE_ERROR[case.name]
    _assert_raised(caught.value, case)


@pytest.mark.parametrize("case", [_cassette(case) for case in STREAM_ERRORS])
async def test_async_stream_error_replays_after_the_same_chunks(
    case: ChatCase, omnigate_async_client: og.AsyncOpenAI
) -> None:
    texts: list[str] = []

    async def read() -> None:
        async for chunk in await omnigate_async_client.chat.completions.create(**case.body, stream=True):
            texts.append(chunk.choices[0].delta.content or "" if chunk.choices else "")

    with pytest.raises(og.APIError) as caught:
        await read()
    assert "".join(texts) == PREFIX_BEFORE_ERROR[case.name]
    _assert_raised(caught.value, case)


@pytest.mark.omnigate_cassette("chat_no_provider_key")
@pytest.mark.local_gateway(providers=("anthropic",))
def test_no_provider_key_replays_as_a_provider_error(omnigate_client: og.OpenAI) -> None:
    with pytest.raises(og.ProviderError) as caught:
        omnigate_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert isinstance(caught.value, openai.BadRequestError)
    assert str(caught.value) == "No openai key configured for this project. Add one via POST /v1/keys."


# -- answers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "raw_finish_reason"),
    [
        pytest.param("gpt-4o-mini", "stop", marks=pytest.mark.omnigate_cassette("chat_openai")),
        pytest.param("claude-3-5-haiku-latest", "end_turn", marks=pytest.mark.omnigate_cassette("chat_anthropic")),
        pytest.param("gemini-1.5-flash", "STOP", marks=pytest.mark.omnigate_cassette("chat_gemini")),
    ],
)  # fmt: skip
def test_completion_replays_with_its_gateway_metadata(
    model: str, raw_finish_reason: str, omnigate_client: og.OpenAI
) -> None:
    completion = omnigate_client.chat.completions.create(model=model, messages=HELLO)
    assert completion.choices[0].message.content == REPLY
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model.startswith(model.removesuffix("-latest"))  # the provider's dated model name
    meta = og.meta(completion)
    assert meta.request_id is not None
    assert meta.raw_finish_reason in ({raw_finish_reason} if raw_finish_reason != "stop" else {"stop", None})
    assert meta.rate_limit is not None


@pytest.mark.omnigate_cassette("chat_openai")
async def test_async_completion_replays(omnigate_async_client: og.AsyncOpenAI) -> None:
    completion = await omnigate_async_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)
    assert completion.choices[0].message.content == REPLY
    assert completion.model.startswith("gpt-4o-mini")
    assert og.meta(completion).rate_limit is not None


@pytest.mark.omnigate_cassette("chat_stream")
def test_sse_stream_replays_the_same_chunks(omnigate_client: og.OpenAI) -> None:
    chunks = list(
        omnigate_client.chat.completions.create(
            model="gpt-4o-mini", messages=HELLO, stream=True, stream_options={"include_usage": True}
        )
    )
    deltas = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices and chunk.choices[0].delta.content]
    assert "".join(deltas) == REPLY
    assert len(deltas) == 8
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 8


@pytest.mark.omnigate_cassette("chat_stream")
async def test_async_sse_stream_replays_the_same_chunks(omnigate_async_client: og.AsyncOpenAI) -> None:
    stream = await omnigate_async_client.chat.completions.create(
        model="gpt-4o-mini", messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    deltas = [
        chunk.choices[0].delta.content async for chunk in stream if chunk.choices and chunk.choices[0].delta.content
    ]
    assert "".join(deltas) == REPLY


# -- the native plain-text stream ------------------------------------------------------------------

NATIVE = [
    pytest.param("gpt-4o-mini", "Say hello.", REPLY,
                 marks=pytest.mark.omnigate_cassette("native_stream"), id="success"),
    pytest.param("claude-3-5-haiku-latest", "Say hello. FAULT:MIDSTREAM:3",
                 "Hello there!\n[error] Anthropic stream error: Overloaded",
                 marks=pytest.mark.omnigate_cassette("native_stream_midstream"), id="midstream"),
    pytest.param("gpt-4o-mini", "Say hello. FAULT:401", re.compile(r"^\n\[error\] OpenAI error 401: \{"),
                 marks=pytest.mark.omnigate_cassette("native_stream_provider_401"), id="provider_401"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "prompt", "expected"), NATIVE)
def test_native_stream_replays_byte_for_byte(
    model: str, prompt: str, expected: str | re.Pattern[str], omnigate_client: og.OpenAI
) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    response = omnigate_client.post("/chat", body=body, cast_to=httpx.Response, stream=True)
    try:
        text = "".join(response.iter_text())
    finally:
        response.close()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    if isinstance(expected, str):
        assert text == expected
    else:
        assert expected.match(text), text


@pytest.mark.parametrize(("model", "prompt", "expected"), NATIVE)
async def test_async_native_stream_replays_byte_for_byte(
    model: str, prompt: str, expected: str | re.Pattern[str], omnigate_async_client: og.AsyncOpenAI
) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": True}
    response = await omnigate_async_client.post("/chat", body=body, cast_to=httpx.Response, stream=True)
    try:
        text = "".join([piece async for piece in response.aiter_text()])
    finally:
        await response.aclose()
    assert text == expected if isinstance(expected, str) else expected.match(text)


# -- every endpoint --------------------------------------------------------------------------------


@pytest.mark.omnigate_cassette("gateway_tour")
def test_every_gateway_endpoint_replays(omnigate_client: og.OpenAI, omnigate_gateway: LocalGateway | None) -> None:
    """Signup, provider key, gateway keys, account, metrics, models, health, admin: one call each, in order."""
    client = omnigate_client
    root = str(client.base_url).rstrip("/").removesuffix("/v1")
    admin = {"headers": {"x-admin-key": omnigate_gateway.admin_key if omnigate_gateway else "<redacted-admin-key-1>"}}

    signup = client.post("/signup", body={"email": "tour@example.com", "project_name": "tour"}, cast_to=httpx.Response)
    assert signup.status_code == 201
    fresh = client.with_options(api_key=signup.json()["api_key"])
    byok = {"provider": "openai", "api_key": fake_key("sk-proj-", "tourTOURtour0123456789abcdefABCDEF")}
    assert fresh.post("/keys", body=byok, cast_to=httpx.Response).status_code == 204
    minted = fresh.post("/keys/api", body={"name": "ci"}, cast_to=httpx.Response).json()
    assert minted["name"] == "ci"
    assert minted["api_key"].startswith("llmg_")
    assert [key["name"] for key in fresh.get("/keys/api", cast_to=httpx.Response).json()] == ["ci"]
    assert fresh.delete(f"/keys/api/{minted['id']}", cast_to=httpx.Response).status_code == 204
    assert fresh.get("/me", cast_to=httpx.Response).json()["configured_providers"] == ["openai"]
    assert (
        fresh.get("/metrics", options={"params": {"range": "1h"}}, cast_to=httpx.Response).json()["scope"] == "project"
    )

    models = client.models.list()
    assert any(model.id == "gpt-4o-mini" for model in models.data)
    assert client.models.retrieve("gpt-4o-mini").id == "gpt-4o-mini"
    with pytest.raises(og.ModelNotFoundError) as missing:
        client.models.retrieve("no-such-model")
    assert isinstance(missing.value, openai.NotFoundError)
    assert str(missing.value) == "model 'no-such-model' not found"

    assert client.get(f"{root}/health", cast_to=httpx.Response).json()["status"] == "ok"
    assert client.get(f"{root}/version", cast_to=httpx.Response).json()["version"] == "0.2.0"
    with pytest.raises(og.APIError) as unknown:
        client.get("/does-not-exist", cast_to=httpx.Response)
    assert isinstance(unknown.value, openai.NotFoundError)
    assert str(unknown.value) == "Not Found"

    org = client.post("/admin/orgs", body={"name": "tour-org"}, options=admin, cast_to=httpx.Response).json()
    project = client.post(
        "/admin/projects", body={"org_id": org["id"], "name": "tour-project"}, options=admin, cast_to=httpx.Response
    ).json()
    assert project["api_key"].startswith("llmg_")
    with pytest.raises(og.AuthError) as not_admin:
        client.get("/admin/orgs", cast_to=httpx.Response)
    assert str(not_admin.value) == "Invalid or missing x-admin-key"
