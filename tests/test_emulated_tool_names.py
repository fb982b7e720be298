"""`emulated_tool_names`: the tools an emulated call offers, read from its reader (they left its body)."""

from __future__ import annotations

from typing import Any

import omnigate_openai as og
from _fakes import fake_key
from omnigate_openai._emulation import emulated_tool_names, emulation_for
from omnigate_openai._sdk import FinalRequestOptions

TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}},
    {"type": "function", "function": {"name": "search", "parameters": {"type": "object", "properties": {}}}},
]


def _options(**body: Any) -> FinalRequestOptions:
    json_data = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], **body}
    return FinalRequestOptions.construct(method="post", url="/chat/completions", json_data=json_data)


def test_the_offered_tools_of_an_emulated_call_are_named_in_order() -> None:
    settings = og.OpenAI(api_key=fake_key("llmg_", "emulated-tool-names"), base_url="http://127.0.0.1:9").settings
    emulation = emulation_for(_options(tools=TOOLS), settings)
    assert emulation is not None
    sent = emulation.options()
    assert "tools" not in sent.json_data  # type: ignore[operator]
    assert emulated_tool_names(sent) == ["get_weather", "search"]


def test_a_call_that_is_not_emulated_names_none() -> None:
    assert emulated_tool_names(_options(tools=TOOLS)) == []  # its tools are still in its body
    assert emulated_tool_names(_options()) == []
