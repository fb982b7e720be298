"""What the Responses API over chat costs: `responses.create` against the same chat call, in one run.

Both rows are the shim: `client.responses.create(input=...)` and `client.chat.completions.create`
with the same conversation, answered by the bench server with the same reply. The Responses call
translates the request, makes that very chat call, builds a `Response` from its answer and stores
it; `ratio` is its CPU over the chat call's (the cost of the translation). The streamed pair reads
the same reply as Responses events and as chat chunks: CPU per call, responses over chat.
"""

from __future__ import annotations

from typing import Any

import openai

import omnigate_openai

from .contenders import API_KEY, MODEL
from .emulation import _measure

__all__ = ["CHAT", "RESPONSES", "responses_rows"]

CHAT = "omnigate_openai (chat.completions)"
RESPONSES = "omnigate_openai (responses)"
QUESTION = "Say hello."
MESSAGES: list[Any] = [{"role": "user", "content": QUESTION}]


def responses_rows(base_url: str, *, rounds: int, batch: int, streams: int, warmup: int) -> list[dict[str, Any]]:
    # A store of one: the bench measures the call, not a growing dictionary.
    store = omnigate_openai.MemoryResponseStore(max_responses=1)
    client = omnigate_openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0, response_store=store)
    sdk = f"openai {openai.__version__}"
    try:
        calls = {
            CHAT: lambda: client.chat.completions.create(model=MODEL, messages=MESSAGES),
            RESPONSES: lambda: client.responses.create(model=MODEL, input=QUESTION),
        }
        _check(calls[RESPONSES](), calls[CHAT]())
        rows = _measure("responses.call", "cpu_per_call", calls, sdk, rounds=rounds, batch=batch, warmup=warmup)
        streamed = {
            CHAT: lambda: sum(1 for _ in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)),
            RESPONSES: lambda: sum(1 for _ in client.responses.create(model=MODEL, input=QUESTION, stream=True)),
        }
        rows += _measure("responses.stream", "cpu_per_call", streamed, sdk, rounds=streams, batch=1, warmup=1)
    finally:
        client.close()
    for row in rows:
        chat = next(r["value"] for r in rows if (r["scenario"], r["contender"]) == (row["scenario"], CHAT))
        row["ratio"] = row["value"] / chat if chat else None
    return rows


def _check(response: Any, completion: Any) -> None:
    if response.output_text != completion.choices[0].message.content:
        raise RuntimeError(f"responses.create and the chat call disagree: {response!r} vs {completion!r}")
