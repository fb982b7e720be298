"""A small hostile HTTP server on loopback, for the faults the local gateway cannot play.

Raw asyncio, no framework: it writes exactly the bytes a fault needs (a body cut mid-chunk, a body
that never ends, heartbeats after `[DONE]`, a stall, bytes that are not UTF-8, a redirect). The fault
is the first path segment of the request: a client whose `base_url` is `<server>/<fault>` meets that
fault on every call; `GET .../v1/models` (the client's price fetch) is answered normally, except by the odd
answers that stand for a whole gateway (`_ANSWER_PRICES_TOO`), which answer it too.
Every request is recorded (`requests`), so a canary server can prove that nothing reached it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from email.utils import formatdate
from typing import Literal
from urllib.parse import parse_qsl

__all__ = [
    "FAULTS",
    "CUSTOM_CALL",
    "ISSUED_REFRESH_TOKEN",
    "ISSUED_TOKEN",
    "ODD_ANSWERS",
    "ODD_CHOICES",
    "PRICED_AT",
    "HostileServer",
    "Seen",
    "hostile_server",
]

Kind = Literal["json", "sse", "native"]

COMPLETION = {
    "id": "chatcmpl-hostile",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
CHUNK = {
    "id": "chatcmpl-hostile",
    "object": "chat.completion.chunk",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
}
MODELS = {"object": "list", "data": []}
TICK = 0.05
"""Seconds between the bytes of an endless body or a heartbeat stream."""
FOREVER = 30.0
"""How long a stall lasts: far past any bound the tests set."""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _Conn:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer

    async def head(self, status: int, reason: str, headers: dict[str, str]) -> None:
        lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        await self.writer.drain()

    async def full(self, status: int, body: bytes, content_type: str, **extra: str) -> None:
        await self.head(status, "X", {"content-type": content_type, "content-length": str(len(body)), **extra})
        self.writer.write(body)
        await self.writer.drain()

    async def chunk(self, data: bytes) -> None:
        self.writer.write(b"%x\r\n%s\r\n" % (len(data), data))
        await self.writer.drain()

    async def end_chunks(self) -> None:
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()


def _sse(data: object) -> bytes:
    return b"data: " + (data if isinstance(data, bytes) else json.dumps(data).encode()) + b"\n\n"


_CHUNKED = {"transfer-encoding": "chunked"}


async def ok(conn: _Conn, kind: Kind) -> bool:
    """A well-formed answer of each kind; the connection stays open for the next request.

    A chat answer's text is the server's `reply` ("hi" unless told); its SSE stream is that text in one
    chunk and `[DONE]`, with no finish chunk (which the client must read right too), or with the
    server's `finish` reason on that one chunk.
    """
    reply: str = conn.server.reply  # type: ignore[attr-defined]
    if kind == "json":
        choice = {**COMPLETION["choices"][0], "message": {"role": "assistant", "content": reply}}
        await conn.full(200, json.dumps({**COMPLETION, "choices": [choice]}).encode(), "application/json")
    elif kind == "sse":
        await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
        choice = {**CHUNK["choices"][0], "delta": {"content": reply}, "finish_reason": conn.server.finish}  # type: ignore[attr-defined]
        await conn.chunk(_sse({**CHUNK, "choices": [choice]}))
        await conn.chunk(_sse(b"[DONE]"))
        await conn.end_chunks()
    else:
        await conn.head(200, "OK", {"content-type": "text/plain; charset=utf-8", **_CHUNKED})
        await conn.chunk(b"hi there")
        await conn.end_chunks()
    return True


async def cut_mid_body(conn: _Conn, kind: Kind) -> bool:
    """Headers, part of the body, then the connection closes (mid-chunk for the streams)."""
    if kind == "json":
        await conn.head(200, "OK", {"content-type": "application/json", "content-length": "400"})
        conn.writer.write(b'{"id": "chatcmpl-hos')
    else:
        content_type = "text/event-stream" if kind == "sse" else "text/plain; charset=utf-8"
        await conn.head(200, "OK", {"content-type": content_type, **_CHUNKED})
        await conn.chunk(_sse(CHUNK) if kind == "sse" else b"hi ")
        conn.writer.write(b'40\r\ndata: {"id": ')
    await conn.writer.drain()
    return False


async def endless(conn: _Conn, kind: Kind) -> bool:
    """A 200 whose body never ends: a byte every tick, forever (SSE: data chunks, never `[DONE]`)."""
    content_type = {"json": "application/json", "sse": "text/event-stream", "native": "text/plain"}[kind]
    await conn.head(200, "OK", {"content-type": content_type, **_CHUNKED})
    if kind == "json":
        await conn.chunk(b'{"id": "chatcmpl-hostile", ')
    while True:
        await conn.chunk(_sse(CHUNK) if kind == "sse" else b" " if kind == "json" else b"more ")
        await asyncio.sleep(TICK)


async def heartbeats_after_done(conn: _Conn, kind: Kind) -> bool:
    """A proxy that keeps the stream open after `[DONE]` with SSE comments (other kinds: a normal answer)."""
    if kind != "sse":
        return await ok(conn, kind)
    await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
    await conn.chunk(_sse(CHUNK))
    await conn.chunk(_sse(b"[DONE]"))
    while True:
        await asyncio.sleep(TICK)
        await conn.chunk(b": ping\n\n")


async def stall_after_done(conn: _Conn, kind: Kind) -> bool:
    """`[DONE]`, then nothing: the body is neither ended nor closed (other kinds: a normal answer)."""
    if kind != "sse":
        return await ok(conn, kind)
    await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
    await conn.chunk(_sse(CHUNK))
    await conn.chunk(_sse(b"[DONE]"))
    await asyncio.sleep(FOREVER)
    return False


async def stall_before_headers(_conn: _Conn, _kind: Kind) -> bool:
    """Accepts the request and never answers."""
    await asyncio.sleep(FOREVER)
    return False


async def stall_mid_body(conn: _Conn, kind: Kind) -> bool:
    """Headers and a first piece, then silence with the connection open."""
    content_type = {"json": "application/json", "sse": "text/event-stream", "native": "text/plain"}[kind]
    await conn.head(200, "OK", {"content-type": content_type, **_CHUNKED})
    await conn.chunk(_sse(CHUNK) if kind == "sse" else b"{" if kind == "json" else b"hi ")
    await asyncio.sleep(FOREVER)
    return False


async def reset_before_answer(_conn: _Conn, _kind: Kind) -> bool:
    """Closes the connection without a byte of answer."""
    return False


async def html_200(conn: _Conn, _kind: Kind) -> bool:
    """A proxy's page with status 200."""
    await conn.full(200, b"<html><body>Welcome to the proxy</body></html>", "text/html")
    return True


async def invalid_json_200(conn: _Conn, _kind: Kind) -> bool:
    await conn.full(200, b'{"id": "chatcmpl-x", "choices": [', "application/json")
    return True


async def error_json_200(conn: _Conn, kind: Kind) -> bool:
    body = {"error": {"message": "OpenAI error 500: upstream exploded", "type": "server_error"}}
    if kind == "sse":
        await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
        await conn.chunk(_sse(body))
        await conn.end_chunks()
        return True
    await conn.full(200, json.dumps(body).encode(), "application/json")
    return True


def _json_200(body: object) -> Callable[[_Conn, Kind], Awaitable[bool]]:
    """An answer of status 200 with this JSON for every call, model listings too."""
    encoded = json.dumps(body).encode()

    async def answer(conn: _Conn, _kind: Kind) -> bool:
        await conn.full(200, encoded, "application/json")
        return True

    return answer


_UNPRICED_CARD = {
    "id": "m",
    "owned_by": "x",
    "provider": "openai",
    "pricing": {"input_per_1k_usd": None, "output_per_1k_usd": 1},
}
"""A model card whose price is not a number."""


async def huge_usage_200(conn: _Conn, _kind: Kind) -> bool:
    """A priced model list, and a chat answer whose usage counts more tokens than any bill has digits for."""
    if conn.path.endswith("/models"):  # type: ignore[attr-defined]
        pricing = {"input_per_1k_usd": 0.00015, "output_per_1k_usd": 0.0006}
        body: object = {"object": "list", "data": [{"id": "gpt-4o-mini", "owned_by": "openai", "pricing": pricing}]}
    else:
        body = {**COMPLETION, "usage": {"prompt_tokens": 10**30, "completion_tokens": 1, "total_tokens": 10**30 + 1}}
    await conn.full(200, json.dumps(body).encode(), "application/json")
    return True


PRICED_AT = {"gpt-4o-mini": "NaN", "gpt-4o": "1e999", "o1": "-0.001", "gpt-4.1": "0.002"}
"""The input price `odd_prices_200` lists each model at, as JSON text: NaN, infinity, a negative, a price."""


async def odd_prices_200(conn: _Conn, _kind: Kind) -> bool:
    """A model list pricing the models of `PRICED_AT` so (`.../models/<id>`: that model's card), and a chat
    answer naming the model it was asked for."""
    path: str = conn.path  # type: ignore[attr-defined]
    cards = {
        model: f'{{"id": "{model}", "owned_by": "openai", "provider": "openai", '
        f'"pricing": {{"input_per_1k_usd": {price}, "output_per_1k_usd": 0.001}}}}'
        for model, price in PRICED_AT.items()
    }
    if path.endswith("/models"):
        body = ('{"object": "list", "data": [' + ", ".join(cards.values()) + "]}").encode()
    elif "/models/" in path:
        body = cards[path.rpartition("/")[2]].encode()
    else:
        asked = json.loads(conn.server.requests[-1].body)["model"]  # type: ignore[attr-defined]
        body = json.dumps({**COMPLETION, "model": asked}).encode()
    await conn.full(200, body, "application/json")
    return True


CUSTOM_CALL = {"id": "call_custom_1", "type": "custom", "custom": {"name": "shell", "input": "ls -la /tmp"}}


async def custom_tool_call_200(conn: _Conn, kind: Kind) -> bool:
    """A chat answer calling a custom tool (`CUSTOM_CALL`: free-form input, no JSON arguments) until the request
    carries a tool result, then one saying what the tool said. Streamed when asked (`_custom_call_stream`)."""
    if conn.path.endswith("/models"):  # type: ignore[attr-defined]
        await conn.full(200, json.dumps(MODELS).encode(), "application/json")
        return True
    asked = json.loads(conn.server.requests[-1].body)  # type: ignore[attr-defined]
    results = [message["content"] for message in asked["messages"] if message.get("role") == "tool"]
    if kind == "sse":
        await _custom_call_stream(conn, asked["messages"][-1]["content"], results)
        return True
    if results:
        choice = {"message": {"role": "assistant", "content": f"the tool said: {results[-1]}"}, "finish_reason": "stop"}
    else:
        choice = {
            "message": {"role": "assistant", "content": None, "tool_calls": [CUSTOM_CALL]},
            "finish_reason": "tool_calls",
        }
    body = {**COMPLETION, "choices": [{"index": 0, **choice}]}
    await conn.full(200, json.dumps(body).encode(), "application/json")
    return True


async def _custom_call_stream(conn: _Conn, command: str, results: list[str]) -> None:
    """What the tool said, or a call of `shell` whose input is `command` (the last message), streamed as OpenAI
    streams a custom tool call (openai's chunk types have no `custom`): the opening delta with id, type, name
    and an empty input, then the input word by word."""
    if results:
        deltas: list[dict[str, object]] = [{"role": "assistant", "content": f"the tool said: {results[-1]}"}]
    else:
        opening = {"index": 0, "id": CUSTOM_CALL["id"], "type": "custom", "custom": {"name": "shell", "input": ""}}
        words = command.split(" ")
        pieces = [word if index == 0 else f" {word}" for index, word in enumerate(words)]
        deltas = [{"role": "assistant", "content": None, "tool_calls": [opening]}]
        deltas += [{"tool_calls": [{"index": 0, "custom": {"input": piece}}]} for piece in pieces]
    await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
    for delta in deltas:
        await conn.chunk(_sse({**CHUNK, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
    finish = "stop" if results else "tool_calls"
    await conn.chunk(_sse({**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
    await conn.chunk(_sse(b"[DONE]"))
    await conn.end_chunks()


async def odd_probes_200(conn: _Conn, _kind: Kind) -> bool:
    """What `doctor` reads, oddly: a Date of unknown zone (`-0000`), a version without `version`, an empty `/me`."""
    path: str = conn.path  # type: ignore[attr-defined]
    if path.endswith("/health"):
        body: object = {"status": "ok", "version": "0.2.0"}
        date = formatdate(usegmt=True).replace("GMT", "-0000")
        await conn.full(200, json.dumps(body).encode(), "application/json", date=date)
        return True
    body = {"name": "omnigate"} if path.endswith("/version") else {}
    await conn.full(200, json.dumps(body).encode(), "application/json")
    return True


ODD_CHOICES: dict[str, str | None] = {
    "no_choices": None,
    "choices_object": "{}",
    "choice_without_part": '[{"index": 0, "finish_reason": "stop"}]',
    "part_null": '[{"index": 0, "PART": null, "finish_reason": "stop"}]',
    "choice_null": "[null]",
    "second_choice_bare": '[{"index": 0, "PART": {"role": "assistant", "content": "hi"}}, {"index": 1}]',
    "no_choice": "[]",
}
"""The `choices` of `odd_choices_200`'s answers (None: none at all); `PART` is `message`, or `delta` in a stream."""


async def odd_choices_200(conn: _Conn, kind: Kind) -> bool:
    """A chat answer (or one-chunk stream) whose `choices` are the next path segment's `ODD_CHOICES`:
    `.../odd_choices_200/part_null/v1`."""
    shape = ODD_CHOICES[conn.path.lstrip("/").partition("/")[0]]  # type: ignore[attr-defined]
    base = {key: value for key, value in (CHUNK if kind == "sse" else COMPLETION).items() if key != "choices"}
    if shape is not None:
        base["choices"] = json.loads(shape.replace("PART", "delta" if kind == "sse" else "message"))
    if kind != "sse":
        await conn.full(200, json.dumps(base).encode(), "application/json")
        return True
    await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
    await conn.chunk(_sse(base))
    await conn.chunk(_sse(b"[DONE]"))
    await conn.end_chunks()
    return True


async def echo_credentials_401(conn: _Conn, _kind: Kind) -> bool:
    """A 401 whose message echoes the credentials and the body it was sent (a careless proxy's or server's);
    a call without credentials (the health probes) is answered as healthy OmniGate 0.2."""
    seen: Seen = conn.server.requests[-1]  # type: ignore[attr-defined]
    sent = [seen.headers.get(name, "") for name in ("x-api-key", "authorization", "x-admin-key")]
    if not any(sent):
        health = {"status": "ok", "name": "omnigate", "version": "0.2.0"}
        await conn.full(200, json.dumps(health).encode(), "application/json", date=formatdate(usegmt=True))
        return True
    detail = f"Invalid credentials {' '.join(sent)} for {seen.body.decode('utf-8', 'replace')}"
    await conn.full(401, json.dumps({"detail": detail}).encode(), "application/json")
    return True


async def echo_credentials_401_utf16(conn: _Conn, _kind: Kind) -> bool:
    """`echo_credentials_401`'s answer as UTF-16 text: the echoed credentials are no UTF-8 bytes in the body."""
    seen: Seen = conn.server.requests[-1]  # type: ignore[attr-defined]
    sent = [seen.headers.get(name, "") for name in ("x-api-key", "authorization", "x-admin-key")]
    detail = f"Invalid credentials {' '.join(sent)}"
    await conn.full(401, detail.encode("utf-16"), "text/plain; charset=utf-16")
    return True


def _escaped(text: str, style: str) -> str:
    """`text` as a JSON string body (no quotes), spelled as servers escape: `slashes` writes `/` as `\\/` (PHP);
    `every_upper` / `every_lower` write every character as `\\uXXXX` (servers that escape everything); `mixed`
    escapes every other character, alternating the hex case, and writes `/` as `\\/`."""
    if style == "slashes":
        return json.dumps(text)[1:-1].replace("/", "\\/")
    spelled = []
    for index, char in enumerate(text):
        escaped = f"\\u{ord(char):04x}"
        if style == "every_upper" or (style == "mixed" and index % 4 == 1):
            spelled.append(escaped.upper().replace("\\U", "\\u"))
        elif style == "every_lower" or (style == "mixed" and index % 4 == 3):
            spelled.append(escaped)
        else:
            spelled.append("\\/" if char == "/" else json.dumps(char)[1:-1])
    return "".join(spelled)


async def echo_credentials_401_escaped(conn: _Conn, _kind: Kind) -> bool:
    """`echo_credentials_401`'s answer with its message JSON-escaped as the next path segment says (`_escaped`):
    `.../echo_credentials_401_escaped/every_upper/v1`. The credentials are no literal text of the body."""
    seen: Seen = conn.server.requests[-1]  # type: ignore[attr-defined]
    style = conn.path.lstrip("/").partition("/")[0]  # type: ignore[attr-defined]
    sent = [seen.headers.get(name, "") for name in ("x-api-key", "authorization", "x-admin-key")]
    detail = f"Invalid credentials {' '.join(sent)} for {seen.body.decode('utf-8', 'replace')}"
    await conn.full(401, f'{{"detail": "{_escaped(detail, style)}"}}'.encode(), "application/json")
    return True


async def echo_credentials_200(conn: _Conn, _kind: Kind) -> bool:
    """A 200 that is no answer and echoes the credentials it was sent, as the next path segment says: `html` (a
    proxy's page), `invalid_json`, `no_choices` (JSON of no chat completion), `error` (an error envelope)."""
    seen: Seen = conn.server.requests[-1]  # type: ignore[attr-defined]
    what = conn.path.lstrip("/").partition("/")[0]  # type: ignore[attr-defined]
    sent = " ".join(seen.headers.get(name, "") for name in ("x-api-key", "authorization", "x-admin-key"))
    if what == "html":
        await conn.full(200, f"<html><body>Denied: {sent}</body></html>".encode(), "text/html")
        return True
    bodies = {
        "invalid_json": '{"detail": "Denied: ' + sent,
        "no_choices": json.dumps({"detail": f"Denied: {sent}"}),
        "error": json.dumps({"error": {"message": f"OpenAI error 401: Denied: {sent}", "type": "provider_error"}}),
    }
    await conn.full(200, bodies[what].encode(), "application/json")
    return True


ISSUED_TOKEN = "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJob3N0aWxlLXRva2VuIn0." + "aG9zdGlsZS1zaWduYXR1cmUtMDEyMzQ1"
"""The access token `token_exchange_200` hands out: a JWT, as Flow's platform issues."""
ISSUED_REFRESH_TOKEN = "rt-hostile-" + "refresh-0123456789abcdef"


async def echo_binary_200(conn: _Conn, _kind: Kind) -> bool:
    """A body that is not UTF-8 and echoes the credentials it was sent: its path and query, and its headers."""
    seen: Seen = conn.server.requests[-1]  # type: ignore[attr-defined]
    sent = [seen.path] + [seen.headers.get(name, "") for name in ("x-api-key", "authorization", "api-key")]
    await conn.full(200, b"\xff\xfe echo: " + " ".join(sent).encode(), "application/octet-stream")
    return True


async def cut_error_body(conn: _Conn, _kind: Kind) -> bool:
    """A 500 whose body is cut mid-chunk."""
    await conn.head(500, "Internal Server Error", {"content-type": "application/json", **_CHUNKED})
    await conn.chunk(b'{"detail": "Internal')
    conn.writer.write(b"30\r\n server er")
    await conn.writer.drain()
    return False


async def bad_utf8(conn: _Conn, kind: Kind) -> bool:
    """Bytes that are not UTF-8: in the text of a native stream, inside the JSON elsewhere."""
    if kind == "native":
        await conn.head(200, "OK", {"content-type": "text/plain; charset=utf-8", **_CHUNKED})
        await conn.chunk(b"caf\xe9 \xff\xfe")
        await conn.end_chunks()
        return True
    if kind == "sse":
        await conn.head(200, "OK", {"content-type": "text/event-stream", **_CHUNKED})
        await conn.chunk(b'data: {"id": "\xff\xfe"}\n\n')
        await conn.end_chunks()
        return True
    await conn.full(200, b'{"id": "\xff\xfe"}', "application/json")
    return True


async def close_delimited(conn: _Conn, kind: Kind) -> bool:
    """An answer with no framing: its end is only the connection closing (HTTP/1.0 style)."""
    content_type = {"json": "application/json", "sse": "text/event-stream", "native": "text/plain"}[kind]
    await conn.head(200, "OK", {"content-type": content_type, "connection": "close"})
    body = {"json": json.dumps(COMPLETION).encode(), "sse": _sse(CHUNK), "native": b"hi there"}[kind]
    conn.writer.write(body)
    await conn.writer.drain()
    return False


async def long_retry_after(conn: _Conn, _kind: Kind) -> bool:
    """The gateway's own rate limit, asking for a wait far past what a call may spend waiting."""
    body = json.dumps({"detail": "Rate limit exceeded: 60 requests per minute"}).encode()
    await conn.full(429, body, "application/json", **{"retry-after": "100"})
    return True


async def rate_limited_with(conn: _Conn, _kind: Kind) -> bool:
    """A rate limit whose headers are the next path segment, form-encoded and sent verbatim
    (`.../rate_limited_with/retry-after=nan`, `.../rate_limited_with/retry-after-ms=10&retry-after=5`)."""
    segment = conn.path.lstrip("/").partition("/")[0]  # type: ignore[attr-defined]
    headers = dict(parse_qsl(segment, keep_blank_values=True))
    body = json.dumps({"detail": "Rate limit exceeded: 60 requests per minute"}).encode()
    await conn.full(429, body, "application/json", **headers)
    return True


def _redirect(target: Callable[[HostileServer], str]) -> Callable[[_Conn, Kind], Awaitable[bool]]:
    async def redirect(conn: _Conn, _kind: Kind) -> bool:
        location = target(conn.server) + conn.path  # type: ignore[attr-defined]
        await conn.full(307, b"", "text/plain", location=location)
        return True

    return redirect


FAULTS: dict[str, Callable[[_Conn, Kind], Awaitable[bool]]] = {
    "ok": ok,
    "cut_mid_body": cut_mid_body,
    "endless": endless,
    "heartbeats_after_done": heartbeats_after_done,
    "stall_after_done": stall_after_done,
    "stall_before_headers": stall_before_headers,
    "stall_mid_body": stall_mid_body,
    "reset_before_answer": reset_before_answer,
    "html_200": html_200,
    "invalid_json_200": invalid_json_200,
    "error_json_200": error_json_200,
    "cut_error_body": cut_error_body,
    "bad_utf8": bad_utf8,
    "close_delimited": close_delimited,
    "long_retry_after": long_retry_after,
    "redirect_same_origin": _redirect(lambda server: server.url + "/ok"),
    "redirect_other_origin": _redirect(lambda server: server.canary_url),
}


ODD_ANSWERS: dict[str, Callable[[_Conn, Kind], Awaitable[bool]]] = {
    "empty_object_200": _json_200({}),  # a JSON answer missing every field
    "json_array_200": _json_200([]),  # JSON, but not an object
    "json_null_200": _json_200(None),  # neither an object nor a list
    "data_null_200": _json_200({"object": "list", "data": None}),  # a list envelope without its list
    "unpriced_card_200": _json_200({"object": "list", "data": [_UNPRICED_CARD]}),
    "huge_usage_200": huge_usage_200,
    "odd_prices_200": odd_prices_200,
    "custom_tool_call_200": custom_tool_call_200,
    "odd_probes_200": odd_probes_200,
    "echo_credentials_401": echo_credentials_401,
    "echo_credentials_401_utf16": echo_credentials_401_utf16,
    "echo_credentials_401_escaped": echo_credentials_401_escaped,
    # a token endpoint's answer: what a token-refresh callback fetches over HTTP
    "token_exchange_200": _json_200(
        {"access_token": ISSUED_TOKEN, "refresh_token": ISSUED_REFRESH_TOKEN, "token_type": "bearer"}
    ),
    "echo_binary_200": echo_binary_200,
    "rate_limited_with": rate_limited_with,
    "odd_choices_200": odd_choices_200,
    "echo_credentials_200": echo_credentials_200,
}
"""Well-formed but odd answers, outside the fault matrix (whose cells are each client's faults)."""
_ANSWER_PRICES_TOO = frozenset(ODD_ANSWERS) - {"rate_limited_with", "odd_choices_200", "echo_credentials_200"}
"""The odd answers that stand for a whole gateway, so they answer its model list (the price fetch) too."""


class HostileServer:
    """The server, on its own event loop in a thread. `url` is its root; `requests` what it received;
    `reply` the text of its well-formed answers; `finish` the finish reason its well-formed stream's
    one chunk carries (None: none)."""

    def __init__(self, *, canary_url: str = "", reply: str = "hi", finish: str | None = None) -> None:
        self.canary_url = canary_url
        self.reply = reply
        self.finish = finish
        self.requests: list[Seen] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def stop(self) -> None:
        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        sock = writer.get_extra_info("socket")
        if sock is not None:  # each fault writes in small pieces: don't let Nagle hold them back
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            keep = True
            while keep:
                seen = await _read_request(reader)
                if seen is None:
                    break
                self.requests.append(seen)
                conn = _Conn(writer)
                conn.server = self  # type: ignore[attr-defined]
                fault, _, rest = seen.path.lstrip("/").partition("/")
                conn.path = "/" + rest  # type: ignore[attr-defined]
                if seen.path.endswith("/models") and seen.method == "GET" and fault not in _ANSWER_PRICES_TOO:
                    await conn.full(200, json.dumps(MODELS).encode(), "application/json")
                    continue
                kind: Kind = "native" if seen.path.endswith("/chat") else "json"
                if kind == "json" and b'"stream": true' in seen.body.replace(b'"stream":true', b'"stream": true'):
                    kind = "sse"
                keep = await FAULTS.get(fault, ODD_ANSWERS.get(fault, ok))(conn, kind)
        except (ConnectionError, asyncio.CancelledError, asyncio.IncompleteReadError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Seen | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return Seen(method, path, headers, body)


@contextlib.contextmanager
def hostile_server(reply: str = "hi", finish: str | None = None) -> Iterator[tuple[HostileServer, HostileServer]]:
    """(the hostile server, its canary: another origin on loopback that must receive nothing)."""
    canary = HostileServer().start()
    server = HostileServer(canary_url=canary.url, reply=reply, finish=finish).start()
    try:
        yield server, canary
    finally:
        server.stop()
        canary.stop()
