"""The plain `openai` SDK sees against the local gateway what it sees against the real server.

Each row is a scenario of `plain-openai-against-omnigate.md` (recorded with openai 3.54): the exact
exception class, status, body and (on openai 3.x) `str(e)`. Two drivers run every row, sync and async.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest

from omnigate_openai._sdk import OPENAI_MAJOR, httpx
from omnigate_openai.testing import LocalGateway

from ._clients import async_sdk_client, sdk_client
from ._replay import Cassette, ReplayClock, Secrets, all_cassettes, replay_until

HELLO = [{"role": "user", "content": "Say hello."}]
BAD_KEY_401 = (
    'OpenAI error 401: {"error":{"message":"Incorrect API key provided: sk-bad-o****0000. You can find your API key '
    'at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,'
    '"code":"invalid_api_key"}}'
)
PROVIDER_429 = (
    'OpenAI error 429: {"error":{"message":"Rate limit reached for gpt-4o-mini in organization org-abc123 on requests '
    "per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s. Visit "
    'https://platform.openai.com/account/rate-limits to learn more.","type":"requests","param":null,'
    '"code":"rate_limit_exceeded"}}'
)
PROVIDER_500 = (
    'OpenAI error 500: {"error":{"message":"The server had an error while processing your request. Sorry about '
    'that!","type":"server_error","param":null,"code":null}}'
)
ANTHROPIC_529 = 'Anthropic error 529: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'


def error_object(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"message": message, "type": kind, "param": None, "code": None}


@dataclass
class Call:
    """What the SDK is asked to do, against which key."""

    method: str = "chat"
    kwargs: dict[str, Any] = field(default_factory=dict)
    api_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    name: str
    setup: Callable[[LocalGateway], Call]
    raises: type[openai.APIError]
    status: int | None
    body: Any
    message: str  # str(e) with openai 3.x


def _chat(model: str = "gpt-4o-mini", content: str = "Say hello.", **extra: Any) -> Call:
    return Call(kwargs={"model": model, "messages": [{"role": "user", "content": content}], **extra})


def _bad_openai_key(gw: LocalGateway) -> Call:
    gw.state.set_provider_key(gw.project.project_id, "openai", "sk-bad-openai-key-0000")
    return _chat()


def _open_circuit(gw: LocalGateway) -> Call:
    gw.faults.open_circuit("openai")
    return _chat()


def _budget_spent(gw: LocalGateway) -> Call:
    gw.faults.exhaust_budget("project", "daily")
    return _chat()


def _rate_limited(gw: LocalGateway) -> Call:
    gw.faults.rate_limit()
    return _chat()


def _tool_role(_: LocalGateway) -> Call:
    messages = [
        {"role": "user", "content": "What's the weather?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
    ]
    return Call(kwargs={"model": "gpt-4o-mini", "messages": messages})


NON_STREAM = [
    Row(
        "invalid gateway key",
        lambda _gw: Call(kwargs=_chat().kwargs, api_key="llmg_" + "x" * 43),
        openai.AuthenticationError,
        401,
        {"detail": "Invalid API key"},
        "Error code: 401",
    ),
    Row(
        "unknown model",
        lambda _gw: _chat("llama-3-70b", "hi"),
        openai.BadRequestError,
        400,
        error_object("No provider registered for model 'llama-3-70b'"),
        "Error code: 400 - No provider registered for model 'llama-3-70b'",
    ),
    Row(
        "temperature 3",
        lambda _gw: _chat(temperature=3),
        openai.UnprocessableEntityError,
        422,
        {
            "detail": [
                {
                    "type": "less_than_equal",
                    "loc": ["body", "temperature"],
                    "msg": "Input should be less than or equal to 2",
                    "input": 3,
                    "ctx": {"le": 2.0},
                }
            ]
        },
        "Error code: 422",
    ),
    Row(
        "tool role",
        _tool_role,
        openai.BadRequestError,
        400,
        error_object("role 'tool' not supported"),
        "Error code: 400 - role 'tool' not supported",
    ),
    Row(
        "text content parts",
        lambda _gw: Call(
            kwargs={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
        ),
        openai.BadRequestError,
        400,
        error_object("multimodal not supported"),
        "Error code: 400 - multimodal not supported",
    ),
    Row(
        "n=2",
        lambda _gw: _chat(n=2),
        openai.BadRequestError,
        400,
        error_object("n > 1 is not supported"),
        "Error code: 400 - n > 1 is not supported",
    ),
    Row(
        "provider 401",
        _bad_openai_key,
        openai.AuthenticationError,
        401,
        error_object(BAD_KEY_401),
        f"Error code: 401 - {BAD_KEY_401}",
    ),
    Row(
        "provider 429",
        lambda _gw: _chat(content="Say hello. FAULT:429"),
        openai.RateLimitError,
        429,
        error_object(PROVIDER_429),
        f"Error code: 429 - {PROVIDER_429}",
    ),
    Row(
        "provider 500",
        lambda _gw: _chat(content="Say hello. FAULT:500"),
        openai.InternalServerError,
        500,
        error_object(PROVIDER_500, "provider_error"),
        f"Error code: 500 - {PROVIDER_500}",
    ),
    Row(
        "anthropic 529",
        lambda _gw: _chat("claude-3-5-sonnet-latest", "Say hello. FAULT:529"),
        openai.InternalServerError,
        529,
        error_object(ANTHROPIC_529, "provider_error"),
        f"Error code: 529 - {ANTHROPIC_529}",
    ),
    Row(
        "circuit open",
        _open_circuit,
        openai.InternalServerError,
        503,
        error_object("openai circuit is open", "provider_error"),
        "Error code: 503 - openai circuit is open",
    ),
    Row(
        "x-user-id over 255",
        lambda _gw: Call(kwargs=_chat().kwargs, headers={"x-user-id": "u" * 300}),
        openai.InternalServerError,
        500,
        "Internal Server Error",
        "Error code: 500",
    ),
    Row(
        "budget exceeded",
        _budget_spent,
        openai.APIStatusError,
        402,
        {"detail": "Project daily budget exceeded"},
        "Error code: 402",
    ),
    Row(
        "gateway rate limit",
        _rate_limited,
        openai.RateLimitError,
        429,
        {"detail": "Rate limit exceeded"},
        "Error code: 429",
    ),
    Row(
        "models.retrieve unknown",
        lambda _gw: Call("retrieve", {"model": "no-such-model"}),
        openai.NotFoundError,
        404,
        error_object("model 'no-such-model' not found"),
        "Error code: 404 - model 'no-such-model' not found",
    ),
    Row(
        "embeddings",
        lambda _gw: Call("embed", {"model": "text-embedding-3-small", "input": "hi"}),
        openai.NotFoundError,
        404,
        {"detail": "Not Found"},
        "Error code: 404",
    ),
]


def _sync_call(client: openai.OpenAI, call: Call) -> object:
    if call.method == "retrieve":
        return client.models.retrieve(call.kwargs["model"])
    if call.method == "embed":
        return client.embeddings.create(**call.kwargs)
    return client.chat.completions.create(**call.kwargs, extra_headers=call.headers)


async def _async_call(client: openai.AsyncOpenAI, call: Call) -> object:
    if call.method == "retrieve":
        return await client.models.retrieve(call.kwargs["model"])
    if call.method == "embed":
        return await client.embeddings.create(**call.kwargs)
    return await client.chat.completions.create(**call.kwargs, extra_headers=call.headers)


def _check(error: BaseException, row: Row) -> None:
    assert type(error) is row.raises
    assert isinstance(error, openai.APIStatusError)
    assert error.status_code == row.status
    assert error.body == row.body
    if OPENAI_MAJOR >= 3:
        assert str(error) == row.message


@pytest.mark.parametrize("row", NON_STREAM, ids=lambda r: r.name)
def test_sync_error_matches_the_real_server(local_gateway: LocalGateway, row: Row) -> None:
    call = row.setup(local_gateway)
    key = call.api_key or local_gateway.api_key
    with (
        sdk_client(base_url=local_gateway.base_url, api_key=key, max_retries=0) as client,
        pytest.raises(openai.APIError) as caught,
    ):
        _sync_call(client, call)
    _check(caught.value, row)


@pytest.mark.parametrize("row", NON_STREAM, ids=lambda r: r.name)
async def test_async_error_matches_the_real_server(local_gateway: LocalGateway, row: Row) -> None:
    call = row.setup(local_gateway)
    async with async_sdk_client(
        base_url=local_gateway.base_url, api_key=call.api_key or local_gateway.api_key, max_retries=0
    ) as client:
        with pytest.raises(openai.APIError) as caught:
            await _async_call(client, call)
    _check(caught.value, row)


@dataclass
class StreamRow:
    name: str
    setup: Callable[[LocalGateway], Call]
    chunks: list[str | None]  # content of each chunk before the failure (None: the role chunk)
    message: str


STREAMS = [
    StreamRow("provider 401 in band", _bad_openai_key, [None], BAD_KEY_401),
    StreamRow(
        "upstream drops after 3 deltas",
        lambda _gw: _chat(content="Say hello. FAULT:MIDSTREAM:3"),
        [None, "Hello", " there", "!"],
        "peer closed connection without sending complete message body (incomplete chunked read)",
    ),
    StreamRow(
        "anthropic error event after 3 deltas",
        lambda _gw: _chat("claude-3-5-haiku-latest", "Say hello. FAULT:MIDSTREAM:3"),
        [None, "Hello", " there", "!"],
        "Anthropic stream error: Overloaded",
    ),
]


@pytest.mark.parametrize("row", STREAMS, ids=lambda r: r.name)
def test_sync_stream_failure_is_a_bare_api_error(local_gateway: LocalGateway, row: StreamRow) -> None:
    call = row.setup(local_gateway)
    seen: list[str | None] = []
    with (
        sdk_client(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client,
        pytest.raises(openai.APIError) as caught,
    ):
        seen.extend(
            chunk.choices[0].delta.content for chunk in client.chat.completions.create(**call.kwargs, stream=True)
        )
    assert type(caught.value) is openai.APIError
    assert getattr(caught.value, "status_code", None) is None
    assert str(caught.value) == row.message
    assert caught.value.body == {"message": row.message, "type": "provider_error"}
    assert seen == row.chunks


async def _drain(client: openai.AsyncOpenAI, call: Call, seen: list[str | None]) -> None:
    async for chunk in await client.chat.completions.create(**call.kwargs, stream=True):
        seen.append(chunk.choices[0].delta.content)


@pytest.mark.parametrize("row", STREAMS, ids=lambda r: r.name)
async def test_async_stream_failure_is_a_bare_api_error(local_gateway: LocalGateway, row: StreamRow) -> None:
    call = row.setup(local_gateway)
    seen: list[str | None] = []
    async with async_sdk_client(
        base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0
    ) as client:
        with pytest.raises(openai.APIError) as caught:
            await _drain(client, call, seen)
    assert type(caught.value) is openai.APIError
    assert str(caught.value) == row.message
    assert seen == row.chunks


@pytest.mark.parametrize(
    ("setup", "raises", "status", "message"),
    [
        (
            lambda _gw: _chat("llama-3-70b", "hi"),
            openai.BadRequestError,
            400,
            "No provider registered for model 'llama-3-70b'",
        ),
        (_open_circuit, openai.InternalServerError, 503, "openai circuit is open"),
    ],
    ids=["unknown model", "circuit open"],
)
def test_stream_preflight_failure_raises_from_create(
    local_gateway: LocalGateway,
    setup: Callable[[LocalGateway], Call],
    raises: type[openai.APIError],
    status: int,
    message: str,
) -> None:
    call = setup(local_gateway)
    with (
        sdk_client(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client,
        pytest.raises(openai.APIError) as caught,
    ):
        client.chat.completions.create(**call.kwargs, stream=True)
    assert type(caught.value) is raises
    assert isinstance(caught.value, openai.APIStatusError)
    assert caught.value.status_code == status
    assert isinstance(caught.value.body, dict)
    assert caught.value.body["message"] == message


def test_success_and_native_finish_reasons(local_gateway: LocalGateway) -> None:
    with sdk_client(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        openai_answer = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)  # type: ignore[arg-type]
        claude_answer = client.chat.completions.create(model="claude-3-5-haiku-latest", messages=HELLO)  # type: ignore[arg-type]
        models = client.models.list()
        dated = client.models.retrieve("gpt-4o-2024-08-06")
    assert openai_answer.model == "gpt-4o-mini-2024-07-18"
    assert openai_answer.choices[0].message.content == "Hello there! How can I help?"
    assert openai_answer.choices[0].finish_reason == "stop"
    assert openai_answer.usage is not None
    assert (openai_answer.usage.prompt_tokens, openai_answer.usage.completion_tokens) == (9, 8)
    assert claude_answer.choices[0].finish_reason == "end_turn"
    assert len(models.data) == 28
    assert models.data[0].model_dump()["pricing"] == {"input_per_1k_usd": 0.0008, "output_per_1k_usd": 0.004}
    assert dated.model_dump()["pricing"] == {"input_per_1k_usd": 0.0025, "output_per_1k_usd": 0.01}


def test_stream_success_and_usage_chunk(local_gateway: LocalGateway) -> None:
    with sdk_client(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client:
        chunks = list(
            client.chat.completions.create(
                model="claude-3-5-haiku-latest",
                messages=HELLO,
                stream=True,
                stream_options={"include_usage": True},  # type: ignore[arg-type]
            )
        )
    assert [c.choices[0].delta.content for c in chunks[1:9]] == [
        "Hello",
        " there",
        "!",
        " How",
        " can",
        " I",
        " help",
        "?",
    ]
    assert chunks[9].choices[0].finish_reason == "end_turn"
    assert chunks[10].choices == []
    assert chunks[10].usage is not None
    assert chunks[10].usage.total_tokens == 17


# -- every error scenario of the reference cassettes ---------------------------------------------

_SDK_PATHS = ("/v1/chat/completions", "/v1/models", "/v1/responses", "/v1/embeddings", "/v1/completions")


def _sdk_scenarios() -> list[Path]:
    """Cassettes whose last request the SDK can make (a well-formed compat or model call with a key)
    and whose recorded answer is an error: a status >= 400 or an in-band SSE error frame."""
    chosen = []
    for path in all_cassettes():
        last = Cassette.load(path).interactions[-1]
        request, response = last["request"], last["response"]
        target = urlsplit(request["uri"]).path
        has_key = any(h in request["headers"] for h in ("authorization", "x-api-key"))
        body = response["body"]["string"]
        failed = response["status"]["code"] >= 400 or 'data: {"error"' in body
        if target.startswith(_SDK_PATHS) and has_key and failed and _parses(request["body"]):
            chosen.append(path)
    return chosen


def _parses(body: str | None) -> bool:
    try:
        json.loads(body or "{}")
    except ValueError:
        return False
    return True


def _expected_error(client: openai.OpenAI, recorded: dict[str, Any], known: Secrets) -> openai.APIStatusError:
    """What the SDK made of the real server's answer: its own `_make_status_error_from_response`."""
    response = httpx.Response(
        recorded["status"]["code"],
        headers={name: values[0] for name, values in recorded["headers"].items()},
        content=known.substitute(recorded["body"]["string"]).encode(),
        request=httpx.Request("POST", "http://gateway.invalid/v1"),
    )
    return client._make_status_error_from_response(response)


def _sdk_call(client: openai.OpenAI, target: str, body: dict[str, Any]) -> object:
    if target == "/v1/chat/completions":
        return client.chat.completions.create(**body)
    if target == "/v1/responses":
        return client.responses.create(**body)
    if target == "/v1/embeddings":
        return client.embeddings.create(**body)
    if target == "/v1/completions":
        return client.completions.create(**body)
    return client.models.retrieve(target.removeprefix("/v1/models/"))


@pytest.mark.parametrize("path", _sdk_scenarios(), ids=lambda p: p.stem)
def test_the_sdk_fails_as_against_the_real_server(
    replay_gateway: LocalGateway, replay_clock: ReplayClock, path: Path
) -> None:
    cassette = Cassette.load(path)
    known = replay_until(replay_gateway, replay_clock, cassette, len(cassette.interactions) - 1)
    recorded_request, recorded = cassette.interactions[-1]["request"], cassette.interactions[-1]["response"]
    headers = {
        k: known.substitute(v[0]) for k, v in recorded_request["headers"].items() if k in ("x-api-key", "x-user-id")
    }
    bearer = recorded_request["headers"].get("authorization", [""])[0].removeprefix("Bearer ")
    api_key = known.substitute(bearer or headers.get("x-api-key", ""))
    body = json.loads(known.substitute(recorded_request["body"] or "{}"))
    target = urlsplit(recorded_request["uri"]).path
    with sdk_client(
        base_url=replay_gateway.base_url, api_key=api_key, max_retries=0, default_headers=headers
    ) as client:
        if recorded["status"]["code"] >= 400:
            expected = _expected_error(client, recorded, known)
            with pytest.raises(openai.APIError) as caught:
                _sdk_call(client, target, body)
            assert type(caught.value) is type(expected)
            assert str(caught.value) == str(expected)
            assert getattr(caught.value, "body", None) == expected.body
        else:
            frames = [f for f in recorded["body"]["string"].split("\n\n") if f.startswith('data: {"error"')]
            message = json.loads(frames[0].removeprefix("data: "))["error"]["message"]
            with pytest.raises(openai.APIError) as caught:
                list(client.chat.completions.create(**body))
            assert type(caught.value) is openai.APIError
            assert str(caught.value) == known.substitute(message)
