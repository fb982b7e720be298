"""Streaming, sync and async, with the usage and cost of the streamed call.

    python examples/streaming.py

Exactly the `openai` streaming API: `stream=True`, `stream_options={"include_usage": True}` for a
final usage chunk, and the `.stream()` helper. `omnigate_openai.meta(stream)` has the gateway's
metadata (provider, cost) once the stream has been read.
"""

from __future__ import annotations

import asyncio

from _gateway import Gateway, configured_gateway

import omnigate_openai

MODEL = "gpt-4o-mini"
HAIKU = [{"role": "user", "content": "Write a haiku about gateways."}]


def stream_sync(gateway: Gateway) -> None:
    with gateway.client() as client:
        stream = client.chat.completions.create(
            model=MODEL,
            messages=HAIKU,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
            if chunk.usage is not None:
                print(f"\n  usage: {chunk.usage.prompt_tokens} in, {chunk.usage.completion_tokens} out")
        meta = omnigate_openai.meta(stream)
        print(f"  provider: {meta.provider}, cost: {meta.cost_usd}")

        with client.chat.completions.stream(model=MODEL, messages=HAIKU) as helper:  # type: ignore[arg-type]
            final = helper.get_final_completion()
        print(f"  .stream() helper, final text: {final.choices[0].message.content!r}")


async def stream_async(gateway: Gateway) -> None:
    async with gateway.async_client() as client:
        stream = await client.chat.completions.create(model=MODEL, messages=HAIKU, stream=True)  # type: ignore[arg-type]
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()


def main() -> None:
    with configured_gateway() as gateway:
        print(f"Using {gateway.where}.\n")
        print("Sync:  ", end="")
        stream_sync(gateway)
        print("Async: ", end="")
        asyncio.run(stream_async(gateway))


if __name__ == "__main__":
    main()
