"""A minimal, fast OmniGate stand-in for benchmarks: raw asyncio HTTP/1.1 with keep-alive.

It speaks just enough of the wire protocol for the hot paths, with bytes prepared in advance so
the server's own cost stays out of the client's way:

* `POST /v1/chat/completions`: a `chat.completion`, or with `"stream": true` the SSE dialect
  (role primer, `max_tokens` content frames, final frame, `[DONE]`), one HTTP chunk per frame;
* `POST /v1/chat`: the native `ChatResponse`, or with `"stream": true` the plain-text dialect,
  one HTTP chunk per delta;
* `GET /v1/models`: the priced model list the shim reads once per client to report costs;
* `GET /_stats`: `{"connections": N}`, the connections accepted so far.

A chat call whose last message is `bench:envelope` is answered with `ENVELOPE`, a 2 KB tool-call
envelope (in 16-character deltas when streamed): what an emulated tool call reads (`bench/emulation.py`);
with `tools` in the request (a gateway with native tools), with the same call as a `tool_calls` message.

Run it as `python -m bench.server [--cpu N]`; it prints its base URL on the first line of stdout.
The benchmark starts it in its own process, pinned to a core of its own where there is one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys

__all__ = ["main"]

MODEL = "gpt-4o-mini"
CREATED = 1_700_000_000
REQUEST_ID = "chatcmpl-" + "0" * 32
_BATCH = 64  # frames per socket write: big enough to be cheap, small enough to interleave 500 streams

_COMMON = (
    f"x-request-id: {REQUEST_ID}\r\n"
    "x-llmgw-provider: openai\r\n"
    f"x-llmgw-model: {MODEL}\r\n"
    "x-ratelimit-limit: 100000\r\nx-ratelimit-remaining: 99999\r\nx-ratelimit-reset: 60\r\n"
)


def _completion() -> bytes:
    return json.dumps(
        {
            "id": REQUEST_ID,
            "object": "chat.completion",
            "created": CREATED,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hello from the bench server.", "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16},
        },
        separators=(",", ":"),
    ).encode()


def _native() -> bytes:
    return json.dumps(
        {
            "id": REQUEST_ID,
            "provider": "openai",
            "model": MODEL,
            "content": "Hello from the bench server.",
            "usage": {"prompt_tokens": 9, "completion_tokens": 7, "total_tokens": 16},
            "cost_usd": 0.000012,
            "finish_reason": "stop",
            "cached": False,
            "fallback_used": False,
            "latency_ms": 1,
        },
        separators=(",", ":"),
    ).encode()


ENVELOPE_MARKER = "bench:envelope"
ENVELOPE = json.dumps(
    {
        "tool_calls": [
            {"name": "tool_0", "arguments": {"items": [{"id": i, "name": f"item-{i:04d}"} for i in range(60)]}}
        ]
    }
)
"""A 2 KB answer calling `tool_0` (its schema is in `bench/emulation.py`)."""
ENVELOPE_PIECE = 16


def _envelope_completion() -> bytes:
    completion = json.loads(_completion())
    completion["choices"][0]["message"]["content"] = ENVELOPE
    return json.dumps(completion, separators=(",", ":")).encode()


def _native_tool_completion() -> bytes:
    """The same call answered by a gateway with native tools: a `tool_calls` message with the same arguments."""
    completion = json.loads(_completion())
    (call,) = json.loads(ENVELOPE)["tool_calls"]
    arguments = json.dumps(call["arguments"], separators=(",", ":"))
    function = {"name": call["name"], "arguments": arguments}
    completion["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "tool_calls": [{"id": "call_" + "0" * 24, "type": "function", "function": function}],
    }
    completion["choices"][0]["finish_reason"] = "tool_calls"
    return json.dumps(completion, separators=(",", ":")).encode()


def envelope_sse_body() -> list[bytes]:
    """The envelope streamed as SSE content deltas of `ENVELOPE_PIECE` characters."""
    if "envelope" not in _SSE_CACHE:
        pieces = [ENVELOPE[i : i + ENVELOPE_PIECE] for i in range(0, len(ENVELOPE), ENVELOPE_PIECE)]
        frames = [_sse_frame({"role": "assistant"}, None)]
        frames += [_sse_frame({"content": piece}, None) for piece in pieces]
        frames += [_sse_frame({}, "stop"), b"data: [DONE]\n\n"]
        _SSE_CACHE["envelope"] = [*_batched(frames), b"0\r\n\r\n"]
    return _SSE_CACHE["envelope"]


def _asks_envelope(request: dict[str, object]) -> bool:
    messages = request.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    return isinstance(last, dict) and last.get("content") == ENVELOPE_MARKER


def _sse_frame(delta: dict[str, object], finish_reason: str | None) -> bytes:
    chunk = {
        "id": REQUEST_ID,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }
    return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"


def _http_chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


def _batched(frames: list[bytes]) -> list[bytes]:
    chunks = [_http_chunk(frame) for frame in frames]
    return [chunks[0]] + [b"".join(chunks[i : i + _BATCH]) for i in range(1, len(chunks), _BATCH)]


_SSE_CACHE: dict[int | str, list[bytes]] = {}
_TEXT_CACHE: dict[int, list[bytes]] = {}


def sse_body(deltas: int) -> list[bytes]:
    """The SSE stream as socket writes; the first write is the role primer alone (time to first chunk)."""
    if deltas not in _SSE_CACHE:
        frames = [_sse_frame({"role": "assistant"}, None)]
        frames += [_sse_frame({"content": f"tok{i} "}, None) for i in range(deltas)]
        frames += [_sse_frame({}, "stop"), b"data: [DONE]\n\n"]
        _SSE_CACHE[deltas] = [*_batched(frames), b"0\r\n\r\n"]
    return _SSE_CACHE[deltas]


def text_body(deltas: int) -> list[bytes]:
    """The native plain-text stream as socket writes: one HTTP chunk per delta."""
    if deltas not in _TEXT_CACHE:
        _TEXT_CACHE[deltas] = [*_batched([f"tok{i} ".encode() for i in range(deltas)]), b"0\r\n\r\n"]
    return _TEXT_CACHE[deltas]


def _head(status: str, content_type: str, extra: str) -> bytes:
    return f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n{_COMMON}{extra}\r\n".encode()


_COMPLETION = _completion()
_ENVELOPE_COMPLETION = _envelope_completion()
_NATIVE_TOOL_COMPLETION = _native_tool_completion()
_NATIVE = _native()
_MODELS = json.dumps(
    {
        "object": "list",
        "data": [
            {
                "id": MODEL,
                "object": "model",
                "created": CREATED,
                "owned_by": "openai",
                "pricing": {"input_per_1k_usd": 0.00015, "output_per_1k_usd": 0.0006},
            }
        ],
    },
    separators=(",", ":"),
).encode()


class _Stats:
    connections = 0


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    _Stats.connections += 1
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            request_line, _, header_block = head.decode("latin-1").partition("\r\n")
            method, path, _ = request_line.split(" ", 2)
            length = 0
            close = False
            for line in header_block.split("\r\n"):
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            body = await reader.readexactly(length) if length else b""
            await _respond(writer, method, path.split("?", 1)[0], body)
            if close:
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def _respond(writer: asyncio.StreamWriter, method: str, path: str, body: bytes) -> None:
    if method == "GET" and path == "/_stats":
        payload = json.dumps({"connections": _Stats.connections}).encode()
        writer.write(_head("200 OK", "application/json", f"content-length: {len(payload)}\r\n") + payload)
        return
    if method == "GET" and path == "/v1/models":
        writer.write(_head("200 OK", "application/json", f"content-length: {len(_MODELS)}\r\n") + _MODELS)
        return
    if method != "POST" or path not in ("/v1/chat/completions", "/v1/chat"):
        payload = b'{"detail":"Not Found"}'
        writer.write(_head("404 Not Found", "application/json", f"content-length: {len(payload)}\r\n") + payload)
        return
    request = json.loads(body or b"{}")
    native = path == "/v1/chat"
    envelope = not native and _asks_envelope(request)
    if not request.get("stream"):
        payload = _NATIVE if native else _COMPLETION
        if envelope:
            payload = _NATIVE_TOOL_COMPLETION if request.get("tools") else _ENVELOPE_COMPLETION
        writer.write(_head("200 OK", "application/json", f"content-length: {len(payload)}\r\n") + payload)
        return
    deltas = int(request.get("max_tokens") or 8)
    if native:
        head = _head("200 OK", "text/plain; charset=utf-8", "transfer-encoding: chunked\r\n")
        writes = text_body(deltas)
    else:
        extra = "cache-control: no-cache\r\ntransfer-encoding: chunked\r\n"
        head = _head("200 OK", "text/event-stream; charset=utf-8", extra)
        writes = envelope_sse_body() if envelope else sse_body(deltas)
    writer.write(head + writes[0])
    await writer.drain()
    for data in writes[1:]:
        writer.write(data)
        await writer.drain()  # yields to other streams and respects a slow reader


async def _serve(sock: socket.socket) -> None:
    server = await asyncio.start_server(_handle, sock=sock, backlog=2048)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this core")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    sock = socket.create_server(("127.0.0.1", 0), backlog=2048)
    port = sock.getsockname()[1]
    print(f"http://127.0.0.1:{port}/v1", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(sock))


if __name__ == "__main__":
    sys.exit(main())
