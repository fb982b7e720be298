"""A 200 whose JSON is no chat completion (`{}`, `[]`): a typed error saying what came, not a completion
of `choices=None` that fails wherever the caller reads it."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server

KEY = fake_key("llmg_", "odd-answers-0123456789abcdef")
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
