"""What tool emulation costs: one call with 5 tools and a 2 KB answer, emulated and native, and plain.

The emulated call (the shim) renders 5 tools into the prompt, reads the 2 KB envelope the bench
server answers with, validates its arguments against the schema and builds the tool call. The
same call made natively (plain `openai` sending `tools` to a gateway that supports them, answered
with the same arguments as a `tool_calls` message) is the row's `ratio` baseline: what emulation
adds (target: at most 1.10x). `ratio_plain` sets each row against the shim's plain call: the same
messages without tools, answered with the same 2 KB as text. The streamed pair reads the envelope
in 16-character deltas: CPU per gateway chunk, emulated over plain.

`python -m bench.emulation` measures these rows alone (`--quick` for a smoke run), against a bench
server started as `python -m bench` starts it, and prints them with their ratios.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import openai

import omnigate_openai

from .contenders import API_KEY, MODEL
from .server import ENVELOPE_MARKER

__all__ = ["EMULATED", "PLAIN", "TOOLS", "emulation_rows"]

PLAIN = "omnigate_openai (plain)"
EMULATED = "omnigate_openai (5 tools)"
NATIVE = "openai (5 native tools)"
MESSAGES = [{"role": "user", "content": ENVELOPE_MARKER}]

_ITEM = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
    "additionalProperties": False,
}
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": f"tool_{index}",
            "description": f"Tool number {index}: takes a list of items and does something with them.",
            "parameters": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": _ITEM}, "note": {"type": "string"}},
                "required": ["items"],
                "additionalProperties": False,
            },
        },
    }
    for index in range(5)
]


def emulation_rows(base_url: str, *, rounds: int, batch: int, streams: int, warmup: int) -> list[dict[str, Any]]:
    client = omnigate_openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    plain_sdk = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    sdk = f"openai {openai.__version__}"
    try:
        calls = {
            NATIVE: lambda: plain_sdk.chat.completions.create(model=MODEL, messages=MESSAGES, tools=TOOLS),  # type: ignore[arg-type]
            EMULATED: lambda: client.chat.completions.create(model=MODEL, messages=MESSAGES, tools=TOOLS),  # type: ignore[arg-type]
            PLAIN: lambda: client.chat.completions.create(model=MODEL, messages=MESSAGES),  # type: ignore[arg-type]
        }
        _check(calls[EMULATED]())
        _check(calls[NATIVE]())
        rows = _measure("emulation.call", "cpu_per_call", calls, sdk, rounds=rounds, batch=batch, warmup=warmup)

        def stream(**tools: Any) -> int:
            return sum(1 for _ in client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True, **tools))  # type: ignore[arg-type]

        chunks = stream() - 2  # the gateway's content deltas (role and finish chunks aside)
        streamed = {PLAIN: stream, EMULATED: lambda: stream(tools=TOOLS)}
        rows += _measure(
            "emulation.stream", "cpu_per_chunk", streamed, sdk, rounds=streams, batch=1, warmup=1, per=chunks
        )
    finally:
        client.close()
        plain_sdk.close()
    for row in rows:
        plain = _value(rows, row["scenario"], PLAIN)
        native = _value(rows, row["scenario"], NATIVE)
        row["ratio"] = row["value"] / (native or plain) if native or plain else None
        row["ratio_plain"] = row["value"] / plain if plain else None
    return rows


def _value(rows: list[dict[str, Any]], scenario: str, contender: str) -> float | None:
    found = [row["value"] for row in rows if (row["scenario"], row["contender"]) == (scenario, contender)]
    return found[0] if found else None


def _check(completion: Any) -> None:
    calls = completion.choices[0].message.tool_calls
    if not calls or calls[0].function.name != "tool_0":
        raise RuntimeError(f"the emulated call did not read the envelope: {completion!r}")


def _measure(
    scenario: str,
    metric: str,
    calls: dict[str, Any],
    sdk: str,
    *,
    rounds: int,
    batch: int,
    warmup: int,
    per: int = 1,
) -> list[dict[str, Any]]:
    for call in calls.values():
        for _ in range(warmup):
            call()
    cpu = dict.fromkeys(calls, 0.0)
    names = list(calls)
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:  # who goes first rotates
            gc.collect()
            started = time.process_time()
            for _ in range(batch):
                calls[name]()
            cpu[name] += time.process_time() - started
    n = rounds * batch * per
    return [
        {"scenario": scenario, "contender": name, "sdk": sdk, "metric": metric, "value": cpu[name] / n * 1e6}
        | {"unit": "µs", "n": n}
        for name in names
    ]


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.emulation`: only these rows, against a bench server started as `python -m bench` does."""
    import argparse

    from .run import FULL, QUICK, pinned_server

    parser = argparse.ArgumentParser(prog="python -m bench.emulation", description=main.__doc__)
    parser.add_argument("--quick", action="store_true", help="a few iterations (a smoke run)")
    args = parser.parse_args(argv)
    profile = QUICK if args.quick else FULL
    with pinned_server() as base_url:
        rows = emulation_rows(
            base_url, rounds=profile.rounds, batch=profile.batch, streams=profile.stream_rounds, warmup=profile.warmup
        )
    for row in rows:
        ratio = "" if row["ratio"] is None else f"  ratio {row['ratio']:.3f}"
        plain = "" if row["ratio_plain"] is None else f"  ratio_plain {row['ratio_plain']:.3f}"
        print(f"{row['sdk']:<14} {row['scenario']:<17} {row['contender']:<26} {row['value']:9.1f} µs{ratio}{plain}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
