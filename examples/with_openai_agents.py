"""openai-agents through OmniGate: an agent run over the gateway's chat completions, tracing off.

    pip install openai-agents && python examples/with_openai_agents.py

`integrations.openai_agents.install` makes the gateway client the default, selects the
chat-completions API (the gateway has no `/v1/responses`) and turns off tracing, which would
otherwise send your prompts to OpenAI.
"""

from __future__ import annotations

from _gateway import configured_gateway
from agents import Agent, Runner

from omnigate_openai.integrations.openai_agents import install


def main() -> None:
    with configured_gateway() as gateway:
        print(f"Using {gateway.where}.\n")
        install(gateway.async_client())
        agent = Agent(name="Greeter", instructions="Greet the user in one sentence.", model="gpt-4o-mini")
        result = Runner.run_sync(agent, "Hello!")
        print("Agent says:", result.final_output)


if __name__ == "__main__":
    main()
