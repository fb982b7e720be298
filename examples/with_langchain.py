"""LangChain through OmniGate: `ChatOpenAI` with all four of its clients set to gateway clients.

    pip install langchain-openai && python examples/with_langchain.py

`integrations.langchain.chat_model` sets `client`, `async_client`, `root_client` and
`root_async_client` (leave one out and LangChain builds its own from OPENAI_API_KEY), keeps the
chat-completions API and asks for stream usage.
"""

from __future__ import annotations

import asyncio

from _gateway import configured_gateway
from langchain_core.messages import HumanMessage, SystemMessage

from omnigate_openai.integrations.langchain import chat_model


def main() -> None:
    with configured_gateway() as gateway, gateway.client() as client:
        print(f"Using {gateway.where}.\n")
        model = chat_model(client, gateway.async_client(), model="gpt-4o-mini", temperature=0.2)

        reply = model.invoke([SystemMessage("Be brief."), HumanMessage("What is an LLM gateway?")])
        print("invoke:", reply.content)
        print("  usage:", reply.usage_metadata)

        print("stream:", "".join(str(chunk.content) for chunk in model.stream("Say hello.")))
        print("batch: ", [r.content for r in model.batch(["One?", "Two?"])])

        async def ask_async() -> str:
            return str((await model.ainvoke("Say hello, asynchronously.")).content)

        print("ainvoke:", asyncio.run(ask_async()))


if __name__ == "__main__":
    main()
