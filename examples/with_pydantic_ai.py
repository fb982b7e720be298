"""pydantic-ai through OmniGate: typed output from a run and from a streamed run.

    pip install 'pydantic-ai-slim[openai]' && python examples/with_pydantic_ai.py

`integrations.pydantic_ai.chat_model` wires `OpenAIChatModel` to the gateway client; `output_type=`
keeps pydantic-ai's default (an output tool), which the client serves by prompt since the gateway
drops `tools`.
"""

from __future__ import annotations

import asyncio

from _gateway import configured_gateway
from pydantic import BaseModel
from pydantic_ai import Agent

from omnigate_openai import AsyncOpenAI
from omnigate_openai.integrations.pydantic_ai import chat_model

SCRIPTED = '{"greeting": "Bonjour !", "language": "French"}'
"""What the local gateway's offline provider answers; a real model writes its own."""


class Greeting(BaseModel):
    greeting: str
    language: str


async def greet(client: AsyncOpenAI) -> None:
    agent = Agent(chat_model(client, "gpt-4o-mini"), output_type=Greeting, instructions="Be brief.")
    result = await agent.run("Greet me in French.")
    print("run:   ", repr(result.output))
    async with agent.run_stream("Greet me in French, once more.") as streamed:
        async for partial in streamed.stream_output():
            print("stream:", repr(partial))


def main() -> None:
    with configured_gateway(local_reply=SCRIPTED) as gateway:
        print(f"Using {gateway.where}.\n")
        asyncio.run(greet(gateway.async_client()))


if __name__ == "__main__":
    main()
