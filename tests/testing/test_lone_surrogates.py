"""Text with a lone surrogate (half a UTF-16 pair: JSON's `"\\ud800"`), which has no UTF-8 form.

The local gateway answered such a reply with a 500 on its unstreamed routes while its SSE stream, which
escapes all non-ASCII, carried it; now every route carries it: escaped in JSON, U+FFFD in plain text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from omnigate_openai.testing import LocalFlowGateway, LocalGateway, ModelRequest

from ._clients import http_client

LONE = "x\ud800y"
"""What the model says: `json.loads('"x\\\\ud800y"')`, as a provider's JSON can give it."""


def _echo(request: ModelRequest) -> str:
    return request.last_user


def _post(gateway: LocalGateway, path: str, body: dict[str, Any]) -> Any:
    # `json.dumps` escapes the surrogate, as the SDK does: the request is valid JSON and valid UTF-8.
    with http_client() as client:
        return client.post(
            f"{gateway.base_url}{path}",
            content=json.dumps(body).encode(),
            headers={"x-api-key": gateway.api_key, "content-type": "application/json"},
        )


def _sse_text(body: bytes) -> str:
    frames = [line[len(b"data: ") :] for line in body.split(b"\n\n") if line.startswith(b"data: ")]
    chunks = [json.loads(frame) for frame in frames if frame != b"[DONE]"]
    return "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks if chunk.get("choices"))


@pytest.mark.parametrize("scripted", [LONE, _echo], ids=["the reply", "the user's message, echoed"])
@pytest.mark.parametrize("stream", [False, True], ids=["unstreamed", "streamed"])
def test_the_compat_route_carries_a_lone_surrogate(local_gateway: LocalGateway, scripted: Any, stream: bool) -> None:
    local_gateway.model.script(scripted)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": LONE}], "stream": stream}
    answer = _post(local_gateway, "/chat/completions", body)
    assert answer.status_code == 200, answer.text
    answer.content.decode("utf-8")  # valid UTF-8, strictly
    text = _sse_text(answer.content) if stream else answer.json()["choices"][0]["message"]["content"]
    assert text == LONE


@pytest.mark.parametrize("stream", [False, True], ids=["unstreamed", "streamed"])
def test_the_native_route_carries_a_lone_surrogate(local_gateway: LocalGateway, stream: bool) -> None:
    local_gateway.model.script(LONE)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "stream": stream}
    answer = _post(local_gateway, "/chat", body)
    assert answer.status_code == 200, answer.text
    text = answer.content.decode("utf-8")  # valid UTF-8, strictly
    # Plain text cannot escape it: the replacement character stands in, as a UTF-8 decoder would show it.
    assert (text if stream else answer.json()["content"]) == (LONE.replace("\ud800", "\ufffd") if stream else LONE)


def test_an_error_quoting_a_lone_surrogate_is_that_error_not_a_500(local_gateway: LocalGateway) -> None:
    answer = _post(local_gateway, "/chat/completions", {"model": "gpt-4o-mini", "messages": [{"role": "r\ud800"}]})
    assert answer.status_code == 400, answer.text
    answer.content.decode("utf-8")
    assert answer.json()["error"]["message"] == "role 'r\ud800' not supported"


@pytest.mark.parametrize("stream", [False, True], ids=["unstreamed", "streamed"])
def test_the_local_flow_gateway_carries_a_lone_surrogate(flow_gateway: LocalFlowGateway, stream: bool) -> None:
    messages = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": None, "tool_calls": [_CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": LONE},  # the model quotes the tool's answer
    ]
    with http_client() as client:
        answer = client.post(
            f"{flow_gateway.gateway_url}/chat/completions",
            content=json.dumps({"model": "openai/gpt-4o", "messages": messages, "stream": stream}).encode(),
            headers={"authorization": f"Bearer {flow_gateway.auth_token}", "content-type": "application/json"},
        )
    assert answer.status_code == 200, answer.text
    answer.content.decode("utf-8")
    text = _sse_text(answer.content) if stream else answer.json()["choices"][0]["message"]["content"]
    assert text == f"The tool said: {LONE}"


_CALL = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}
