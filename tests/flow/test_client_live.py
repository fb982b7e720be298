"""flow.OpenAI / flow.AsyncOpenAI against the local Flow gateway: configuration, headers, native features."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
from typing import Any

import openai
import pytest
from pydantic import BaseModel

import omnigate_openai as og
from _fakes import fake_key
from _hostile import ISSUED_TOKEN, hostile_server
from omnigate_openai import _masking, flow
from omnigate_openai.testing import LocalFlowGateway
from omnigate_openai.testing._flow_model import vector_for

HELLO: dict[str, Any] = {"model": "anthropic/claude-sonnet-4-20250514", "messages": [{"role": "user", "content": "Hi"}]}
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
            "required": ["city", "unit"],
        },
    },
}


def _client(gateway: LocalFlowGateway, **kwargs: Any) -> flow.OpenAI:
    options: dict[str, Any] = {"base_url": gateway.base_url, "auth_token": gateway.auth_token, "max_retries": 0}
    return flow.OpenAI(**{**options, **kwargs})


# -- configuration -------------------------------------------------------------------------------


def test_missing_base_url_names_the_argument_and_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATFORM_API_URL", raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # never read
    with pytest.raises(flow.ConfigurationError, match=r"pass `base_url=` or set `PLATFORM_API_URL`") as caught:
        flow.OpenAI(auth_token="t")
    assert isinstance(caught.value, ValueError)  # the Flow SDK raised ValueError here


def test_missing_credential_names_the_argument_and_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTH_TOKEN", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", fake_key("sk-", "never-read-by-flow-clients"))
    with pytest.raises(flow.ConfigurationError, match=r"pass `auth_token=` or set `AUTH_TOKEN`"):
        flow.AsyncOpenAI(base_url="http://127.0.0.1:9")


async def _flow_sdk_callback(token: str) -> None:  # the Flow SDK tells its callback the new token
    del token


@pytest.mark.parametrize("client_class", [flow.OpenAI, flow.AsyncOpenAI])
def test_a_refresh_callback_that_wants_arguments_is_refused_at_construction(client_class: type[Any]) -> None:
    with pytest.raises(flow.ConfigurationError, match=r"`on_auth_token_refresh` is called with no arguments"):
        client_class(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=_flow_sdk_callback)
    with pytest.raises(flow.ConfigurationError, match=r"`on_auth_token_refresh` is called with no arguments"):
        client_class(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=lambda token: token)
    client_class(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=lambda token="t": token)


def test_the_sync_client_refuses_a_coroutine_callback_at_construction() -> None:
    async def issue() -> str:
        return "token-1"

    with pytest.raises(flow.ConfigurationError, match=r"the sync client needs a plain function"):
        flow.OpenAI(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=issue)
    flow.AsyncOpenAI(base_url="http://127.0.0.1:9", auth_token="t", on_auth_token_refresh=issue)


def test_the_environment_configures_a_client(flow_gateway: LocalFlowGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_API_URL", flow_gateway.base_url)
    monkeypatch.setenv("AUTH_TOKEN", flow_gateway.auth_token)
    with flow.OpenAI(max_retries=0) as client:
        assert client.chat.completions.create(**HELLO).choices[0].message.content == "Hello there! How can I help?"
    assert str(client.base_url) == f"{flow_gateway.base_url}/api/v1/gateway/v1/"
    assert flow_gateway.calls.last.headers["authorization"] == f"Bearer {flow_gateway.auth_token}"


def test_a_gateway_url_is_accepted_as_the_base_url(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway, base_url=flow_gateway.gateway_url) as client:
        client.chat.completions.create(**HELLO)
    assert flow_gateway.calls.last.path == "/api/v1/gateway/v1/chat/completions"


@pytest.mark.parametrize("path", ["/api/v1/gateway", "/api/v1/gateway/"])
def test_the_gateways_path_as_the_base_url_is_the_platform_root(flow_gateway: LocalFlowGateway, path: str) -> None:
    """Pasting the gateway's path (`<root>/api/v1/gateway`) once doubled it, and the 404 read as an unknown model."""
    with _client(flow_gateway, base_url=flow_gateway.base_url + path) as client:
        assert str(client.base_url) == f"{flow_gateway.base_url}/api/v1/gateway/v1/"
        client.chat.completions.create(**HELLO)
        assert flow_gateway.calls.last.path == "/api/v1/gateway/v1/chat/completions"
        assert client.gateway.providers().providers
        assert flow_gateway.calls.last.path == "/api/v1/gateway/models/providers/list"
        copy = client.with_options(base_url=flow_gateway.base_url + path)
        assert copy.settings.root_url == flow_gateway.base_url


async def test_the_gateways_path_in_the_environment_is_the_platform_root(
    flow_gateway: LocalFlowGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLATFORM_API_URL", flow_gateway.base_url + "/api/v1/gateway")
    async with flow.AsyncOpenAI(auth_token=flow_gateway.auth_token, max_retries=0) as client:
        await client.chat.completions.create(**HELLO)
        assert [model.id for model in await client.gateway.models()]
    assert [call.path for call in flow_gateway.calls] == [
        "/api/v1/gateway/v1/chat/completions",
        "/api/v1/gateway/v1/models",
    ]


URL_CREDENTIALS_REFUSED = "The platform URL must not carry `user:password@`: pass `auth_token=` or an `fl_` `api_key=`."
"""The platform authenticates by token or key: a URL's credentials would reach it as Basic auth besides."""


def _with_url_credentials(gateway: LocalFlowGateway) -> str:
    return gateway.base_url.replace("http://", "http://ops:url-password-1234@")


def test_url_credentials_are_refused_at_construction(flow_gateway: LocalFlowGateway) -> None:
    for client_class in (flow.OpenAI, flow.AsyncOpenAI):
        with pytest.raises(flow.ConfigurationError) as caught:
            client_class(base_url=_with_url_credentials(flow_gateway), auth_token=flow_gateway.auth_token)
        assert str(caught.value) == URL_CREDENTIALS_REFUSED


@pytest.mark.parametrize("method", ["with_options", "copy"])
def test_url_credentials_are_refused_by_a_copy(flow_gateway: LocalFlowGateway, method: str) -> None:
    with _client(flow_gateway) as client:
        with pytest.raises(flow.ConfigurationError) as caught:
            getattr(client, method)(base_url=_with_url_credentials(flow_gateway))
        assert str(caught.value) == URL_CREDENTIALS_REFUSED
        client.chat.completions.create(**HELLO)  # the client itself is untouched
    assert flow_gateway.calls.last.headers["authorization"] == f"Bearer {flow_gateway.auth_token}"


@pytest.mark.parametrize("method", ["with_options", "copy"])
async def test_url_credentials_are_refused_by_an_async_copy(flow_gateway: LocalFlowGateway, method: str) -> None:
    async with flow.AsyncOpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token) as client:
        with pytest.raises(flow.ConfigurationError) as caught:
            getattr(client, method)(base_url=_with_url_credentials(flow_gateway))
        assert str(caught.value) == URL_CREDENTIALS_REFUSED
        await client.chat.completions.create(**HELLO)  # the client itself is untouched
    assert flow_gateway.calls.last.headers["authorization"] == f"Bearer {flow_gateway.auth_token}"


@pytest.mark.parametrize("bad", [{"workspace_id": "ws\r\nX-Evil: 1"}, {"auth_token": "two\nlines"}])
def test_header_values_with_line_breaks_are_refused(bad: dict[str, str]) -> None:
    with pytest.raises(flow.ConfigurationError, match="line break"):
        flow.OpenAI(base_url="http://127.0.0.1:9", **{"auth_token": "t", **bad})


def test_no_secret_in_the_repr(flow_gateway: LocalFlowGateway) -> None:
    api_key = flow_gateway.api_key
    client = _client(flow_gateway, api_key=api_key, workspace_id="ws-local")
    shown = repr(client)
    assert flow_gateway.auth_token not in shown
    assert api_key not in shown
    assert "ws-local" in shown
    assert flow_gateway.auth_token not in repr(client.settings)
    assert client.api_key != flow_gateway.auth_token  # frameworks read `api_key`: it is a placeholder


def test_a_pickled_error_and_its_request_repr_hide_the_api_key(
    flow_gateway: LocalFlowGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as in a process that never built an OmniGate client (whose profile hides the same header name)
    monkeypatch.setattr(_masking, "SENSITIVE_HEADERS", _masking.SENSITIVE_HEADERS - {"x-api-key", "x-admin-key"})
    with _client(flow_gateway, api_key=flow_gateway.api_key) as client, pytest.raises(og.ModelNotFoundError) as caught:
        client.chat.completions.create(model="nope/none", messages=[{"role": "user", "content": "Hi"}])
    assert flow_gateway.calls.last.headers["x-api-key"] == flow_gateway.api_key  # it was sent
    assert flow_gateway.api_key not in repr(caught.value.request.headers)
    data = pickle.dumps(caught.value)
    assert flow_gateway.api_key.encode() not in data
    restored = pickle.loads(data)
    assert isinstance(restored, og.ModelNotFoundError)
    assert restored.request.headers["x-api-key"] == "[secure]"


def _strings_in(value: object) -> list[str]:
    """Every string in a parsed body, keys included, however deeply nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings_in(key), *_strings_in(item))]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings_in(item)]
    return [repr(value)]


@pytest.mark.parametrize("envelope", ["platform", "litellm", "fastapi", "text"])
@pytest.mark.parametrize("credential", ["auth_token", "api_key"])
@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_an_echoed_credential_is_masked_in_the_errors_body_too(
    flow_gateway: LocalFlowGateway, envelope: str, credential: str, stream: bool
) -> None:
    secret = flow_gateway.auth_token if credential == "auth_token" else flow_gateway.api_key
    flow_gateway.faults.respond(400, f"Malformed credential {secret!r} in request", envelope=envelope)  # type: ignore[arg-type]
    with _client(flow_gateway, **{credential: secret}) as client, pytest.raises(og.APIError) as caught:
        client.chat.completions.create(**HELLO, stream=stream)
    error = caught.value
    assert isinstance(error, openai.BadRequestError)
    shown_by_response = (error.response.text, error.response.content.decode(), *error.response.iter_text())
    for shown in (repr(error), str(error), *_strings_in(error.body), *_strings_in(error.detail), *shown_by_response):
        assert secret not in shown
    assert "'[secure]'" in error.response.text
    if envelope != "text":
        assert error.response.json() == error.body  # the masked body is still the JSON that was sent
    assert secret.encode() not in pickle.dumps(error)
    assert str(error) == "Malformed credential '[secure]' in request"
    if envelope == "platform":  # the rest of the body is kept
        assert error.body == {"code": "GATEWAY_ERROR", "message": str(error), "details": []}
    if envelope == "litellm":
        assert error.body == {
            "error": {"message": str(error), "type": "invalid_request_error", "param": None, "code": "400"}
        }


async def test_an_echoed_credential_is_masked_in_an_async_errors_response(flow_gateway: LocalFlowGateway) -> None:
    token = flow_gateway.auth_token
    flow_gateway.faults.respond(401, f"Invalid authentication token: Bearer {token}", envelope="fastapi")
    async with flow.AsyncOpenAI(base_url=flow_gateway.base_url, auth_token=token, max_retries=0) as client:
        with pytest.raises(og.AuthError) as caught:
            await client.chat.completions.create(**HELLO)
    assert caught.value.response.json() == {"detail": "Invalid authentication token: Bearer [secure]"}
    assert token not in caught.value.response.text
    assert token not in "".join([text async for text in caught.value.response.aiter_text()])


def test_an_echoed_token_is_masked_in_an_in_band_stream_failures_body(flow_gateway: LocalFlowGateway) -> None:
    token = flow_gateway.auth_token
    flow_gateway.faults.cut_stream(after=1, error=f"upstream refused Bearer {token}", status=500)
    with _client(flow_gateway) as client, pytest.raises(og.ProviderError) as caught:
        for _ in client.chat.completions.create(**HELLO, stream=True):
            pass
    error = caught.value
    assert str(error) == "upstream refused Bearer [secure]"
    assert error.body == {
        "message": "upstream refused Bearer [secure]",
        "type": "api_error",
        "param": None,
        "code": "500",
    }
    for shown in (repr(error), *_strings_in(error.body)):
        assert token not in shown
    assert token.encode() not in pickle.dumps(error)


def test_a_pickled_error_hides_a_token_the_gateway_echoed(flow_gateway: LocalFlowGateway) -> None:
    token = flow_gateway.auth_token
    flow_gateway.faults.respond(401, f"Invalid authentication token: Bearer {token}", envelope="fastapi")
    with _client(flow_gateway) as client, pytest.raises(og.AuthError) as caught:
        client.chat.completions.create(**HELLO)
    assert str(caught.value) == "Invalid authentication token: Bearer [secure]"
    data = pickle.dumps(caught.value)
    assert token.encode() not in data
    restored = pickle.loads(data)
    assert str(restored) == "Invalid authentication token: Bearer [secure]"
    assert restored.response.json() == {"detail": "Invalid authentication token: Bearer [secure]"}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("style", ["every_upper", "every_lower", "mixed"])
@pytest.mark.parametrize("credential", ["auth_token", "api_key"])
def test_a_credential_echoed_json_escaped_is_masked_in_the_answer_too(credential: str, style: str, mode: str) -> None:
    """`\\u0065yJ...`: the parsed `body` was masked, but `error.response.text` kept the escaped credential."""
    secret = {"auth_token": ISSUED_TOKEN, "api_key": fake_key("fl_", "echoed-escaped-0123456789")}[credential]
    with hostile_server() as (server, _), pytest.raises(og.AuthError) as caught:
        _ask({"base_url": f"{server.url}/echo_credentials_401_escaped/{style}", credential: secret}, mode)
    error = caught.value
    assert str(error).startswith("Invalid credentials ")
    assert "[secure]" in error.response.text
    assert error.response.json() == error.body
    assert secret not in json.dumps(error.body)
    assert secret not in error.response.text


def _ask(options: dict[str, Any], mode: str) -> None:
    if mode == "sync":
        with flow.OpenAI(**options, max_retries=0) as client:
            client.chat.completions.create(**HELLO)
        return

    async def call() -> None:
        async with flow.AsyncOpenAI(**options, max_retries=0) as client:
            await client.chat.completions.create(**HELLO)

    asyncio.run(call())


def test_clients_are_openai_clients() -> None:
    client = flow.AsyncOpenAI(base_url="http://127.0.0.1:9", auth_token="t")
    assert isinstance(client, openai.AsyncOpenAI)
    assert isinstance(client.with_options(timeout=3), flow.AsyncOpenAI)


# -- headers ---------------------------------------------------------------------------------------


def test_the_token_is_a_bearer_and_optional_headers_are_sent(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway, workspace_id="ws-local", request_id="req-42") as client:
        client.chat.completions.create(**HELLO)
    headers = flow_gateway.calls.last.headers
    assert headers["authorization"] == f"Bearer {flow_gateway.auth_token}"
    assert headers["x-workspace-id"] == "ws-local"
    assert headers["x-request-id"] == "req-42"
    assert "x-api-key" not in headers


def test_the_api_key_wins_over_the_token(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()  # the token would fail: the key must be what authenticates
    with _client(flow_gateway, api_key=flow_gateway.api_key) as client:
        client.chat.completions.create(**HELLO)
    headers = flow_gateway.calls.last.headers
    assert headers["x-api-key"] == flow_gateway.api_key
    assert "authorization" not in headers


def test_an_api_key_alone_is_enough(flow_gateway: LocalFlowGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUTH_TOKEN", raising=False)
    with flow.OpenAI(base_url=flow_gateway.base_url, api_key=flow_gateway.api_key) as client:
        assert client.gateway.providers().providers


def test_a_copy_for_another_workspace_shares_the_token(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    with _client(flow_gateway, on_auth_token_refresh=flow_gateway.issue_token) as client:
        scoped = client.with_workspace("ws-local")
        scoped.chat.completions.create(**HELLO)
        client.chat.completions.create(**HELLO)
    assert isinstance(scoped, flow.OpenAI)
    assert [call.headers.get("x-workspace-id") for call in flow_gateway.calls] == ["ws-local", "ws-local", None]
    assert flow_gateway.tokens_issued == 2  # the copy's renewal serves the original too
    with pytest.raises(flow.ConfigurationError, match="line break"):
        client.with_workspace("a\nb")


def test_a_per_call_request_id(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        raw = client.chat.completions.with_raw_response.create(**HELLO, extra_headers={"X-Request-ID": "call-7"})
    assert raw.headers["x-request-id"] == "call-7"


def test_a_workspace_without_access_is_an_auth_error(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway, workspace_id="ws-other") as client, pytest.raises(flow.AuthError) as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.PermissionDeniedError)
    assert str(caught.value) == "No access to workspace 'ws-other' (field: X-Workspace-ID)"


# -- what the gateway does natively ----------------------------------------------------------------


def test_model_names_pass_through_unchanged(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        completion = client.chat.completions.create(**{**HELLO, "model": "google/gemini-2.0-flash"})
    assert flow_gateway.calls.last.json["model"] == "google/gemini-2.0-flash"
    assert completion.model == "google/gemini-2.0-flash"


def test_tools_are_sent_and_answered_natively(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        completion = client.chat.completions.create(**HELLO, tools=[WEATHER_TOOL])
        call = completion.choices[0].message.tool_calls[0]  # type: ignore[index]
        followup = client.chat.completions.create(
            model=HELLO["model"],
            messages=[
                *HELLO["messages"],
                completion.choices[0].message.model_dump(exclude_none=True),  # type: ignore[list-item]
                {"role": "tool", "tool_call_id": call.id, "content": "12 degrees"},
            ],
            tools=[WEATHER_TOOL],
        )
    assert completion.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "example", "unit": "celsius"}  # type: ignore[union-attr]
    assert followup.choices[0].message.content == "The tool said: 12 degrees"
    assert flow_gateway.calls.to("/api/v1/gateway/v1/chat/completions")[0].json["tools"] == [WEATHER_TOOL]


class City(BaseModel):
    name: str
    population: int


def test_structured_output_is_native_and_parses(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        parsed = client.chat.completions.parse(**HELLO, response_format=City)
    assert parsed.choices[0].message.parsed == City(name="example", population=1)
    assert flow_gateway.calls.last.json["response_format"]["type"] == "json_schema"


def test_a_streamed_tool_call(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        chunks = list(client.chat.completions.create(**HELLO, tools=[WEATHER_TOOL], stream=True))
    calls = [call for chunk in chunks for call in (chunk.choices[0].delta.tool_calls or [])]
    assert [call.function.name for call in calls] == ["get_weather"]  # type: ignore[union-attr]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_embeddings_are_native(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        result = client.embeddings.create(model="openai/text-embedding-3-small", input=["alpha", "beta"])
    assert [item.embedding for item in result.data] == [vector_for("alpha"), vector_for("beta")]
    assert flow_gateway.calls.last.path == "/api/v1/gateway/v1/embeddings"


async def test_async_embeddings_and_stream(flow_gateway: LocalFlowGateway) -> None:
    async with flow.AsyncOpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token) as client:
        result = await client.embeddings.create(model="openai/text-embedding-3-small", input="alpha", dimensions=4)
        stream = await client.chat.completions.create(**HELLO, stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert result.data[0].embedding == vector_for("alpha", dimensions=4)
    assert text == "Hello there! How can I help?"


# -- a wrong URL ----------------------------------------------------------------------------------

ROUTE_ADVICE = (
    "Check `base_url` (or `PLATFORM_API_URL`): the platform's root URL, e.g. https://api.example.com, "
    "to which the client adds `/api/v1/gateway/v1`."
)


def _route_not_found(error: BaseException, method: str, url: str) -> None:
    """A wrong path is said to be one, with the URL asked; it is no unknown model."""
    assert isinstance(error, flow.APIError)
    assert isinstance(error, openai.NotFoundError)
    assert not isinstance(error, flow.ModelNotFoundError)
    assert str(error) == (
        f"URL not found: {method} {url} answered 404 with FastAPI's `Not Found`, the answer for a path "
        f"the server has no route for. {ROUTE_ADVICE}"
    )
    assert error.body == {"detail": "Not Found"}


@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_a_wrong_root_is_a_url_not_found(flow_gateway: LocalFlowGateway, stream: bool) -> None:
    root = flow_gateway.base_url + "/platform"
    with _client(flow_gateway, base_url=root) as client, pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(**HELLO, stream=stream)
    _route_not_found(caught.value, "POST", f"{root}/api/v1/gateway/v1/chat/completions")


def test_a_wrong_root_is_a_url_not_found_for_discovery(flow_gateway: LocalFlowGateway) -> None:
    root = flow_gateway.base_url + "/platform"
    with _client(flow_gateway, base_url=root) as client, pytest.raises(openai.NotFoundError) as caught:
        client.gateway.provider_models("openai", scope="workspace")
    _route_not_found(caught.value, "GET", f"{root}/api/v1/gateway/models/openai")  # the query is left out


async def test_a_wrong_root_is_a_url_not_found_async(flow_gateway: LocalFlowGateway) -> None:
    root = flow_gateway.base_url + "/platform"
    async with flow.AsyncOpenAI(base_url=root, auth_token=flow_gateway.auth_token, max_retries=0) as client:
        with pytest.raises(openai.NotFoundError) as caught:
            await client.embeddings.create(model="openai/text-embedding-3-small", input="alpha")
    _route_not_found(caught.value, "POST", f"{root}/api/v1/gateway/v1/embeddings")


def test_an_unknown_model_is_still_model_not_found(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client, pytest.raises(flow.ModelNotFoundError) as caught:
        client.chat.completions.create(**{**HELLO, "model": "openai/gpt-9"})
    assert isinstance(caught.value, openai.NotFoundError)
    assert caught.value.model == "openai/gpt-9"
    assert str(caught.value) == "Model 'openai/gpt-9' not found or not enabled for this organization (field: model)"


# -- discovery ---------------------------------------------------------------------------------------


def test_discovery(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        models = client.gateway.models()
        openai_models = client.gateway.provider_models("openai")
        providers = client.gateway.providers()
    assert "anthropic/claude-sonnet-4-20250514" in [model.id for model in models]
    assert isinstance(openai_models, flow.ProviderModels)
    assert openai_models.provider == "openai"
    assert openai_models.total == len(openai_models.models) == 5
    assert openai_models.models[0].id == "openai/gpt-4o"
    assert flow_gateway.calls.to("/api/v1/gateway/models/openai")[0].query == "scope=organization"
    assert providers.providers == ["openai", "anthropic", "google", "mistral"]


async def test_async_discovery_with_a_scope(flow_gateway: LocalFlowGateway) -> None:
    async with flow.AsyncOpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token) as client:
        listed = await client.gateway.provider_models("google", scope="workspace")
        providers = await client.gateway.providers()
        models = await client.gateway.models()
    assert [model.id for model in listed.models] == ["google/gemini-2.0-flash"]
    assert flow_gateway.calls.to("/api/v1/gateway/models/google")[0].query == "scope=workspace"
    assert "mistral" in providers.providers
    assert len(models) == 9


def test_listings_missing_their_list_are_empty() -> None:
    # the Flow SDK reads them as `data.get("data", [])` and `data.get("providers", [])`
    with (
        hostile_server() as (server, _canary),
        flow.OpenAI(base_url=f"{server.url}/empty_object_200", auth_token="t", max_retries=0) as client,
    ):
        assert client.gateway.models() == []
        assert client.gateway.providers().providers == []
    assert [seen.path for seen in server.requests] == [
        "/empty_object_200/api/v1/gateway/v1/models",
        "/empty_object_200/api/v1/gateway/models/providers/list",
    ]


async def test_async_listings_missing_their_list_are_empty() -> None:
    with hostile_server() as (server, _canary):
        async with flow.AsyncOpenAI(base_url=f"{server.url}/empty_object_200", auth_token="t", max_retries=0) as client:
            assert await client.gateway.models() == []
            assert (await client.gateway.providers()).providers == []


def test_an_unknown_provider_is_not_found(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client, pytest.raises(flow.ModelNotFoundError) as caught:
        client.gateway.provider_models("cohere")
    assert isinstance(caught.value, openai.NotFoundError)
    assert str(caught.value) == "Provider 'cohere' not found (field: provider)"


@pytest.mark.parametrize(
    ("provider", "scope", "named"),
    [
        ("", "organization", "provider"),
        ("openai/x", "organization", "provider"),
        ("..", "organization", "provider"),  # the URL would be normalised to `/api/v1/gateway`
        (".", "organization", "provider"),
        ("openai", " ", "scope"),
    ],
)
def test_bad_discovery_arguments_are_refused_before_sending(
    flow_gateway: LocalFlowGateway, provider: str, scope: str, named: str
) -> None:
    with _client(flow_gateway) as client, pytest.raises(ValueError, match=f"Expected `{named}`"):
        client.gateway.provider_models(provider, scope=scope)
    assert not flow_gateway.calls


def test_omnigate_only_features_are_refused_not_dropped(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        with pytest.raises(og.UnsupportedFeatureError, match="no client-chosen fallbacks") as caught:
            client.with_routing(fallbacks=["openai/gpt-4o"])
        assert caught.value.field == "with_routing"
        with pytest.raises(og.UnsupportedFeatureError, match="no per-user attribution header"):
            client.with_user("user-1")
    for name in ("user_id", "admin_key"):
        with pytest.raises(flow.ConfigurationError, match=f"The Flow gateway has no `{name}`"):
            _client(flow_gateway, **{name: "x"})


def test_the_body_user_field_reaches_the_gateway(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway) as client:
        client.chat.completions.create(**HELLO, user="user-1")
    assert flow_gateway.calls.last.json["user"] == "user-1"


def test_no_secret_in_the_sdk_debug_log(flow_gateway: LocalFlowGateway, caplog: pytest.LogCaptureFixture) -> None:
    flow_gateway.expire_tokens()  # the log then covers a 401, a renewal and a retry too
    caplog.set_level(logging.DEBUG)
    with _client(flow_gateway, api_key=None, on_auth_token_refresh=flow_gateway.issue_token) as client:
        client.chat.completions.create(**HELLO)
        fresh = client.settings.token.secret.reveal()  # type: ignore[union-attr]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "chat/completions" in logged  # the SDK did log the calls
    assert flow_gateway.auth_token not in logged
    assert fresh not in logged


# -- the Responses API, served over Flow's chat completions ----------------------------------------------------


class Verdict(BaseModel):
    ok: bool


def test_responses_create_parse_and_raw(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway, request_id="req-responses") as client:
        response = client.responses.create(model=HELLO["model"], input="Hi")
        raw = client.responses.with_raw_response.create(model=HELLO["model"], input="Hi")
        parsed = client.responses.parse(model=HELLO["model"], input="Is it fine?", text_format=Verdict)
        again = client.responses.retrieve(response.id)
    assert response.output_text == "Hello there! How can I help?"
    assert response.status == "completed"
    assert og.meta(response).emulated == ("responses",)
    assert og.meta(response).request_id == "req-responses"  # the gateway echoes it
    assert raw.parse().output_text == response.output_text
    assert isinstance(parsed.output_parsed, Verdict)
    assert again.output_text == response.output_text


async def test_async_responses_create_and_stream(flow_gateway: LocalFlowGateway) -> None:
    async with flow.AsyncOpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token) as client:
        response = await client.responses.create(model=HELLO["model"], input="Hi")
        stream = await client.responses.create(model=HELLO["model"], input="Hi", stream=True)
        events = [event async for event in stream]
    assert response.output_text == "Hello there! How can I help?"
    assert og.meta(response).emulated == ("responses",)
    assert events[-1].type == "response.completed"


def test_a_responses_feature_it_cannot_serve_is_refused_without_naming_omnigate(flow_gateway: LocalFlowGateway) -> None:
    """pydantic-ai asks for `include` on models it takes for reasoning ones; the refusal said "OmniGate has no ..."."""
    with _client(flow_gateway) as client, pytest.raises(og.UnsupportedFeatureError) as caught:
        client.responses.create(model=HELLO["model"], input="Hi", include=["reasoning.encrypted_content"])
    assert str(caught.value).startswith(
        "This client serves `responses` over the gateway's chat completions, which cannot honour `include`: "
        "'reasoning.encrypted_content' cannot be produced"
    )
    assert "OmniGate" not in str(caught.value)
    assert caught.value.field == "include"
    assert flow_gateway.calls.to("/api/v1/gateway/v1/chat/completions") == []


def test_a_plain_completion_carries_the_gateways_request_id(flow_gateway: LocalFlowGateway) -> None:
    """As its raw response and its stream do: `meta()` of a Flow completion was a TypeError."""
    with _client(flow_gateway, request_id="req-plain") as client:
        completion = client.chat.completions.create(**HELLO)
    assert og.meta(completion).request_id == "req-plain"
