"""A 200 whose JSON is no chat completion (`{}`, `[]`), or whose choices lack their `message` (a chunk's: `delta`):
a typed error saying what came, not a completion of `choices=None` that fails wherever the caller reads it."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server
from omnigate_openai import flow

KEY = fake_key("llmg_", "odd-answers-0123456789abcdef")
FLOW_TOKEN = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJvZGQtYW5zd2VycyJ9." + "b2RkLWFuc3dlcnMtc2lnbmF0dXJl"
MESSAGES: Any = [{"role": "user", "content": "hi"}]


def _ask(settings: dict[str, Any], mode: str) -> None:
    if mode == "sync":
        with og.OpenAI(**settings) as client:
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        return

    async def call() -> None:
        async with og.AsyncOpenAI(**settings) as client:
            await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    asyncio.run(call())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("answer", "shown"), [("empty_object_200", "'{}'"), ("json_array_200", "'[]'")])
def test_json_that_is_no_chat_completion_is_a_typed_error(answer: str, shown: str, mode: str) -> None:
    with hostile_server() as (server, _), pytest.raises(og.InvalidResponseError) as caught:
        _ask({"base_url": f"{server.url}/{answer}", "api_key": KEY, "max_retries": 0}, mode)
    assert isinstance(caught.value, openai.APIResponseValidationError)
    assert str(caught.value) == (
        f"The gateway answered HTTP 200 with JSON that is not a chat completion (no `choices` list): {shown}"
    )
    assert KEY not in repr(caught.value)


# -- choices without what their readers read ------------------------------------------------------

GATEWAYS = ["omnigate", "flow"]
LACKING = [  # the answer's `choices` (`ODD_CHOICES`), what the error says is missing (PART: `message` or `delta`)
    ("choices_object", "no `choices` list"),
    ("no_choices", "no `choices` list"),
    ("choice_without_part", "`choices[0]` has no `PART` object"),
    ("part_null", "`choices[0]` has no `PART` object"),
    ("choice_null", "`choices[0]` has no `PART` object"),
    ("second_choice_bare", "`choices[1]` has no `PART` object"),
]
SAID = {  # how each kind of answer says it, before `LACKING`'s words
    ("message", True): "The gateway answered HTTP 200 with JSON that is not a chat completion (",
    ("message", False): "The gateway answered HTTP 200 with a chat completion whose ",
    ("delta", True): "The gateway's event stream sent a chunk with ",
    ("delta", False): "The gateway's event stream sent a chunk whose ",
}


def _expected(lacking: str, part: str) -> str:
    no_list = lacking.startswith("no ")
    return SAID[(part, no_list)] + lacking.replace("PART", part) + (")" if part == "message" and no_list else "")


def _client_options(fault_url: str, gateway: str) -> dict[str, Any]:
    """A `gateway` client's options, its base URL the hostile server's fault (`<server>/odd_choices_200/part_null`)."""
    if gateway == "flow":
        return {"base_url": fault_url, "auth_token": FLOW_TOKEN, "max_retries": 0}
    return {"base_url": f"{fault_url}/v1", "api_key": KEY, "max_retries": 0}


def _read(options: dict[str, Any], gateway: str, mode: str, call: str) -> list[Any]:
    """What the call gave, read to its end: `chat`, `stream` (its chunks), `responses`, `responses_stream`."""
    sync_class, async_class = (flow.OpenAI, flow.AsyncOpenAI) if gateway == "flow" else (og.OpenAI, og.AsyncOpenAI)
    streamed = call.endswith("stream")
    if mode == "sync":
        with sync_class(**options) as client:
            if call.startswith("responses"):
                answer: Any = client.responses.create(model="gpt-4o-mini", input="hi", stream=streamed)
            else:
                answer = client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=streamed)
            return list(answer) if streamed else [answer]

    async def read() -> list[Any]:
        async with async_class(**options) as client:
            if call.startswith("responses"):
                answer: Any = await client.responses.create(model="gpt-4o-mini", input="hi", stream=streamed)
            else:
                answer = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=streamed)
            return [item async for item in answer] if streamed else [answer]

    return asyncio.run(read())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("gateway", GATEWAYS)
@pytest.mark.parametrize("call", ["chat", "stream", "responses", "responses_stream"])
@pytest.mark.parametrize(("shape", "lacking"), LACKING, ids=[shape for shape, _ in LACKING])
def test_choices_without_their_message_or_delta_are_a_typed_error(
    shape: str, lacking: str, call: str, gateway: str, mode: str
) -> None:
    """The SDK built `choices=None` or `message=None` from these; the caller's `.choices[0].message.content` raised
    `TypeError` or `AttributeError`. The Responses API builds its answer from the same chat answer or chunks."""
    part = "delta" if call.endswith("stream") else "message"
    with hostile_server() as (server, _), pytest.raises(og.InvalidResponseError) as caught:
        _read(_client_options(f"{server.url}/odd_choices_200/{shape}", gateway), gateway, mode, call)
    assert isinstance(caught.value, openai.APIResponseValidationError)
    assert str(caught.value).startswith(_expected(lacking, part) + ": '{")


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("gateway", GATEWAYS)
def test_an_empty_choices_list_is_an_answer(gateway: str, mode: str) -> None:
    """A content filter's answer, or a stream's usage chunk: no choice, and nothing missing from one."""
    with hostile_server() as (server, _):
        options = _client_options(f"{server.url}/odd_choices_200/no_choice", gateway)
        (completion,) = _read(options, gateway, mode, "chat")
        chunks = _read(options, gateway, mode, "stream")
    assert completion.choices == []
    assert [chunk.choices for chunk in chunks] == [[]]


# -- credentials echoed by an answer that is none -------------------------------------------------

ECHOED = [  # the answer (`echo_credentials_200`), the error it raises
    ("html", og.InvalidResponseError),
    ("invalid_json", og.InvalidResponseError),
    ("no_choices", og.InvalidResponseError),
    ("error", og.ProviderError),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("gateway", GATEWAYS)
@pytest.mark.parametrize("call", ["chat", "stream"])
@pytest.mark.parametrize(("answer", "raises"), ECHOED, ids=[answer for answer, _ in ECHOED])
def test_a_credential_echoed_by_an_answer_that_is_none_is_masked(
    answer: str, raises: type[Exception], call: str, gateway: str, mode: str
) -> None:
    """A proxy's page or an error sent with a 200, quoting the key: the error showed it in its message, `body`
    and `response.text`."""
    secret = FLOW_TOKEN if gateway == "flow" else KEY
    with hostile_server() as (server, _), pytest.raises(raises) as caught:
        _read(_client_options(f"{server.url}/echo_credentials_200/{answer}", gateway), gateway, mode, call)
    error = caught.value
    assert isinstance(error, openai.APIError)
    assert secret in repr(server.requests[-1])  # it was sent, and echoed back
    for shown in (str(error), repr(error.body), error.response.text):
        assert secret not in shown
    assert "[secure]" in error.response.text
    assert "[secure]" in str(error)
