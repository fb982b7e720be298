"""instructor, wired by `integrations.instructor.from_client`, live against the local gateway (openai 2.x)."""

from __future__ import annotations

from typing import Any

import instructor
import pytest
from instructor.core.exceptions import InstructorRetryException
from pydantic import BaseModel

import omnigate_openai as og
from omnigate_openai.integrations.instructor import from_client
from omnigate_openai.testing import LocalGateway

from .conftest import chat_calls

ANSWER = '```json\n{"city": "Paris", "country": "France"}\n```'
QUESTION = [{"role": "user", "content": "Where is the Eiffel tower?"}]
pytestmark = pytest.mark.parametrize("gateway_reply", [ANSWER])


class City(BaseModel):
    city: str
    country: str


REQUEST: dict[str, Any] = {"model": "gpt-4o-mini", "response_model": City, "messages": QUESTION, "max_retries": 0}


def test_structured_result(client: og.OpenAI, gateway: LocalGateway) -> None:
    city = from_client(client).chat.completions.create(model="gpt-4o-mini", response_model=City, messages=QUESTION)
    assert city.model_dump() == {"city": "Paris", "country": "France"}
    [call] = chat_calls(gateway)
    assert "tools" not in call.json
    assert "response_format" not in call.json


async def test_structured_result_async(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    structured = from_client(async_client)
    city = await structured.chat.completions.create(model="gpt-4o-mini", response_model=City, messages=QUESTION)
    assert city.model_dump() == {"city": "Paris", "country": "France"}
    assert len(chat_calls(gateway)) == 1


def test_partial_streaming(client: og.OpenAI, gateway: LocalGateway) -> None:
    partials = list(
        from_client(client).chat.completions.create_partial(model="gpt-4o-mini", response_model=City, messages=QUESTION)
    )
    assert len(partials) > 1
    assert partials[-1].model_dump() == {"city": "Paris", "country": "France"}
    assert chat_calls(gateway)[0].json["stream"] is True


async def test_partial_streaming_async(async_client: og.AsyncOpenAI, gateway: LocalGateway) -> None:
    stream = from_client(async_client).chat.completions.create_partial(
        model="gpt-4o-mini", response_model=City, messages=QUESTION
    )
    partials = [partial async for partial in stream]
    assert partials[-1].model_dump() == {"city": "Paris", "country": "France"}
    assert chat_calls(gateway)[0].json["stream"] is True


@pytest.mark.parametrize("mode", [instructor.Mode.TOOLS, instructor.Mode.JSON, instructor.Mode.JSON_SCHEMA], ids=str)
def test_modes_that_cannot_work_are_refused_up_front(
    client: og.OpenAI, gateway: LocalGateway, mode: instructor.Mode
) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match=r"drops \(`tools` or `response_format`\); use Mode\.MD_JSON"):
        from_client(client, mode=mode)
    assert chat_calls(gateway) == []


@pytest.mark.parametrize("partial", [False, True], ids=["create", "create_partial"])
def test_instructors_default_mode_fails_with_the_gateway_error_as_cause(
    client: og.OpenAI, gateway: LocalGateway, partial: bool
) -> None:
    """Without the helper, TOOLS mode is refused by the client before sending, never answered with None."""
    structured = instructor.from_openai(client)

    def ask() -> object:
        if partial:
            return list(structured.chat.completions.create_partial(**REQUEST))
        return structured.chat.completions.create(**REQUEST)

    with pytest.raises(InstructorRetryException) as caught:
        ask()
    assert isinstance(caught.value.__cause__, og.UnsupportedFeatureError)
    assert caught.value.__cause__.field == "tools"
    assert chat_calls(gateway) == []


def test_a_plain_openai_client_is_refused(gateway: LocalGateway) -> None:
    import openai

    with pytest.raises(TypeError, match=r"got a plain openai\.OpenAI"):
        from_client(openai.OpenAI(base_url=gateway.base_url, api_key="unused"))  # type: ignore[arg-type]
