"""Drivers shared by the gateway-API and CLI tests: one test body runs on the sync and on the async
client, live against the local gateway or replaying the reference cassettes recorded from OmniGate 0.2.0."""

from __future__ import annotations

import asyncio
import inspect
import json
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import vcr

from _reference_cassettes import REFERENCE_DIR, interactions
from omnigate_openai import AsyncOpenAI, OpenAI
from omnigate_openai._sdk import httpx
from omnigate_openai.testing._cassettes import BODY_MATCHER, MATCH_ON, body_matcher

REFERENCE = REFERENCE_DIR
REPLAY_BASE_URL = "http://127.0.0.1:58000/v1"  # where the reference cassettes were recorded
REPLAY_KEY = "llmg_<redacted-1>"
REPLAY_ADMIN_KEY = "<redacted-admin-key>"
MODES = ("sync", "async")
_TLS = ssl.create_default_context()


class Driver:
    """One client, sync or async; `driver(lambda g: g.models())` runs the call and returns its result."""

    def __init__(self, mode: str, **client_options: Any) -> None:
        self.mode = mode
        client_options.setdefault("max_retries", 0)
        client_options.setdefault("timeout", 10.0)  # every wait in a test is bounded
        # One TLS context for the whole run: building one per client (as the SDK does) costs ~0.15 s each.
        http_client = httpx.Client if mode == "sync" else httpx.AsyncClient
        client_options.setdefault("http_client", http_client(verify=_TLS))
        self._loop: asyncio.AbstractEventLoop | None = None
        if mode == "sync":
            self.client: OpenAI | AsyncOpenAI = OpenAI(**client_options)
        else:
            self._loop = asyncio.new_event_loop()
            self.client = AsyncOpenAI(**client_options)

    def __call__(self, call: Callable[[Any], Any]) -> Any:
        result = call(self.client.gateway)
        if inspect.isawaitable(result):
            assert self._loop is not None, "a sync client returned an awaitable"
            return self._loop.run_until_complete(asyncio.wait_for(result, timeout=30))
        return result

    def close(self) -> None:
        if self._loop is None:
            self.client.close()  # type: ignore[unused-coroutine]
            return
        self._loop.run_until_complete(self.client.close())  # type: ignore[arg-type]
        self._loop.close()


@contextmanager
def driver(mode: str, **client_options: Any) -> Iterator[Driver]:
    made = Driver(mode, **client_options)
    try:
        yield made
    finally:
        made.close()



def replay_vcr() -> vcr.VCR:
    replayer = vcr.VCR(cassette_library_dir=str(REFERENCE), record_mode="none", match_on=MATCH_ON)
    replayer.register_matcher(BODY_MATCHER, body_matcher)
    return replayer


def recorded(name: str) -> list[dict[str, Any]]:
    """The interactions of a reference cassette, for comparing what we say with what the server said."""
    return interactions(name)


def recorded_json(name: str, index: int) -> Any:
    return json.loads(recorded(name)[index]["response"]["body"]["string"])
