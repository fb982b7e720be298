"""The contenders, each reduced to the same few operations against the bench server.

Every contender does the same work a user's code would: one chat call, one streamed call read to
the end, one new client, one per-user copy. Whatever is not installed in this interpreter (the
`omnigate` 0.2 SDK, the other `openai` major) is simply absent; `run.py` reports the gap.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import openai

import omnigate_openai

__all__ = [
    "BASELINE",
    "FLOOR",
    "MODEL",
    "SHIM",
    "SHIM_CHUNKS",
    "AsyncContender",
    "SyncContender",
    "async_contenders",
    "sync_contenders",
]

MODEL = "gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Say hello."}]
API_KEY = "bench-key"

SHIM = "omnigate_openai"
SHIM_CHUNKS = "omnigate_openai (chunks)"
BASELINE = "openai"
OMNIGATE = "omnigate 0.2"
FLOOR = "raw httpx (floor)"


def _version(distribution: str) -> str:
    try:
        return f"{distribution} {metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return distribution


OPENAI_SDK = f"openai {openai.__version__}"
OPENAI_MAJOR = int(openai.__version__.split(".", 1)[0])


def _raw_httpx() -> Any:
    """The HTTP library the installed openai speaks: the floor every SDK call sits on."""
    if OPENAI_MAJOR >= 3:
        import httpx2

        return httpx2
    import httpx

    return httpx


@dataclass
class SyncContender:
    name: str
    sdk: str
    call: Callable[[], object] | None = None
    sse: Callable[[int], Iterable[object]] | None = None
    native: Callable[[int], Iterable[object]] | None = None
    new_client: Callable[[], object] | None = None
    with_user: Callable[[str], object] | None = None
    with_options: Callable[[], object] | None = None
    closers: list[Callable[[], object]] = field(default_factory=list)

    def close(self) -> None:
        for close in self.closers:
            close()


@dataclass
class AsyncContender:
    name: str
    sdk: str
    call: Callable[[], Awaitable[object]] | None = None
    sse: Callable[[int], AsyncIterator[object]] | None = None
    native: Callable[[int], AsyncIterator[object]] | None = None
    fresh: Callable[[], AsyncContender] | None = None  # the same contender on a new client (concurrency runs)
    closers: list[Callable[[], Awaitable[object]]] = field(default_factory=list)

    async def close(self) -> None:
        for close in self.closers:
            await close()


def _body(stream: bool, deltas: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"model": MODEL, "messages": MESSAGES, "stream": stream}
    if deltas is not None:
        body["max_tokens"] = deltas
    return body


def _iterate(result: Any) -> Iterator[object]:
    if hasattr(result, "__enter__"):
        with result as stream:
            yield from stream
    else:
        yield from result


def _shim_sync(name: str, cls: type[omnigate_openai.OpenAI], base_url: str) -> list[SyncContender]:
    """The shim, and its native stream read as typed chunks (the text is what omnigate 0.2 yields)."""
    client = cls(api_key=API_KEY, base_url=base_url)
    chat = client.chat.completions

    def native_stream(deltas: int) -> omnigate_openai.NativeChatStream[Any]:
        return client.gateway.chat_stream(model=MODEL, messages=MESSAGES, max_tokens=deltas)

    def native_text(deltas: int) -> Iterator[object]:
        with native_stream(deltas) as stream:
            yield from stream.text()

    shim = SyncContender(
        name=name,
        sdk=OPENAI_SDK,
        call=lambda: chat.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        sse=lambda deltas: chat.create(model=MODEL, messages=MESSAGES, stream=True, max_tokens=deltas),  # type: ignore[arg-type]
        native=native_text,
        new_client=lambda: cls(api_key=API_KEY, base_url=base_url),
        with_user=client.with_user,
        with_options=lambda: client.with_options(timeout=5.0),
        closers=[client.close],
    )
    return [shim, SyncContender(name=SHIM_CHUNKS, sdk=OPENAI_SDK, native=lambda d: _iterate(native_stream(d)))]


def _openai_sync(base_url: str) -> SyncContender:
    client = openai.OpenAI(api_key=API_KEY, base_url=base_url)
    chat = client.chat.completions
    return SyncContender(
        name=BASELINE,
        sdk=OPENAI_SDK,
        call=lambda: chat.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        sse=lambda deltas: chat.create(model=MODEL, messages=MESSAGES, stream=True, max_tokens=deltas),  # type: ignore[arg-type]
        new_client=lambda: openai.OpenAI(api_key=API_KEY, base_url=base_url),
        # What plain openai offers for per-user attribution: a copy with the gateway's header.
        with_user=lambda user: client.with_options(default_headers={"x-user-id": user}),
        with_options=lambda: client.with_options(timeout=5.0),
        closers=[client.close],
    )


def _omnigate_sync(base_url: str) -> SyncContender | None:
    try:
        import omnigate
    except ImportError:
        return None
    root = base_url.removesuffix("/v1")
    client = omnigate.Client(api_key=API_KEY, base_url=root)
    return SyncContender(
        name=OMNIGATE,
        sdk=_version("omnigate"),
        call=lambda: client.chat(model=MODEL, messages=MESSAGES),
        native=lambda deltas: client.chat_stream(model=MODEL, messages=MESSAGES, max_tokens=deltas),
        new_client=lambda: omnigate.Client(api_key=API_KEY, base_url=root),
        closers=[client.close],
    )


def _floor_sync(base_url: str) -> SyncContender:
    httpx = _raw_httpx()
    client = httpx.Client()
    headers = {"x-api-key": API_KEY}
    completions, native_url = f"{base_url}/chat/completions", f"{base_url}/chat"

    def call() -> object:
        return client.post(completions, json=_body(False), headers=headers).json()

    def sse(deltas: int) -> Iterator[object]:
        with client.stream("POST", completions, json=_body(True, deltas), headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    if line == "data: [DONE]":
                        return
                    yield json.loads(line[6:])

    def native(deltas: int) -> Iterator[object]:
        with client.stream("POST", native_url, json=_body(True, deltas), headers=headers) as response:
            yield from response.iter_text()

    return SyncContender(
        name=FLOOR,
        sdk=_version(httpx.__name__),
        call=call,
        sse=sse,
        native=native,
        new_client=httpx.Client,
        closers=[client.close],
    )


def sync_contenders(base_url: str, *, floor: bool = True) -> list[SyncContender]:
    found = [*_shim_sync(SHIM, omnigate_openai.OpenAI, base_url), _openai_sync(base_url)]
    omnigate = _omnigate_sync(base_url)
    if omnigate is not None:
        found.append(omnigate)
    if floor:
        found.append(_floor_sync(base_url))
    return found


def _shim_async(name: str, cls: type[omnigate_openai.AsyncOpenAI], base_url: str) -> list[AsyncContender]:
    """The shim, and its native stream read as typed chunks (the text is what omnigate 0.2 yields)."""
    client = cls(api_key=API_KEY, base_url=base_url)
    chat = client.chat.completions

    async def sse(deltas: int) -> AsyncIterator[object]:
        stream = await chat.create(model=MODEL, messages=MESSAGES, stream=True, max_tokens=deltas)  # type: ignore[arg-type]
        async for chunk in stream:
            yield chunk

    async def native_text(deltas: int) -> AsyncIterator[object]:
        async with await client.gateway.chat_stream(model=MODEL, messages=MESSAGES, max_tokens=deltas) as stream:
            async for piece in stream.text():
                yield piece

    async def native_chunks(deltas: int) -> AsyncIterator[object]:
        async with await client.gateway.chat_stream(model=MODEL, messages=MESSAGES, max_tokens=deltas) as stream:
            async for chunk in stream:
                yield chunk

    shim = AsyncContender(
        name=name,
        sdk=OPENAI_SDK,
        call=lambda: chat.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        sse=sse,
        native=native_text,
        fresh=lambda: _shim_async(name, cls, base_url)[0],
        closers=[client.close],
    )
    return [shim, AsyncContender(name=SHIM_CHUNKS, sdk=OPENAI_SDK, native=native_chunks)]


def _openai_async(base_url: str) -> AsyncContender:
    client = openai.AsyncOpenAI(api_key=API_KEY, base_url=base_url)
    chat = client.chat.completions

    async def sse(deltas: int) -> AsyncIterator[object]:
        stream = await chat.create(model=MODEL, messages=MESSAGES, stream=True, max_tokens=deltas)  # type: ignore[arg-type]
        async for chunk in stream:
            yield chunk

    return AsyncContender(
        name=BASELINE,
        sdk=OPENAI_SDK,
        call=lambda: chat.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        sse=sse,
        fresh=lambda: _openai_async(base_url),
        closers=[client.close],
    )


def _omnigate_async(base_url: str) -> AsyncContender | None:
    try:
        import omnigate
    except ImportError:
        return None
    root = base_url.removesuffix("/v1")
    client = omnigate.AsyncClient(api_key=API_KEY, base_url=root)

    async def native(deltas: int) -> AsyncIterator[object]:
        async for piece in client.chat_stream(model=MODEL, messages=MESSAGES, max_tokens=deltas):
            yield piece

    return AsyncContender(
        name=OMNIGATE,
        sdk=_version("omnigate"),
        call=lambda: client.chat(model=MODEL, messages=MESSAGES),
        native=native,
        fresh=lambda: _omnigate_async(base_url),  # type: ignore[arg-type,return-value]
        closers=[client.aclose],
    )


def _floor_async(base_url: str) -> AsyncContender:
    httpx = _raw_httpx()
    client = httpx.AsyncClient(limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100))
    headers = {"x-api-key": API_KEY}
    completions, native_url = f"{base_url}/chat/completions", f"{base_url}/chat"

    async def call() -> object:
        return (await client.post(completions, json=_body(False), headers=headers)).json()

    async def sse(deltas: int) -> AsyncIterator[object]:
        async with client.stream("POST", completions, json=_body(True, deltas), headers=headers) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: "):
                    if line == "data: [DONE]":
                        return
                    yield json.loads(line[6:])

    async def native(deltas: int) -> AsyncIterator[object]:
        async with client.stream("POST", native_url, json=_body(True, deltas), headers=headers) as response:
            async for piece in response.aiter_text():
                yield piece

    return AsyncContender(
        name=FLOOR,
        sdk=_version(httpx.__name__),
        call=call,
        sse=sse,
        native=native,
        fresh=lambda: _floor_async(base_url),
        closers=[client.aclose],
    )


def async_contenders(base_url: str, *, floor: bool = True) -> list[AsyncContender]:
    """Build inside the running event loop that will use them."""
    found = [*_shim_async(SHIM, omnigate_openai.AsyncOpenAI, base_url), _openai_async(base_url)]
    omnigate = _omnigate_async(base_url)
    if omnigate is not None:
        found.append(omnigate)
    if floor:
        found.append(_floor_async(base_url))
    return found
