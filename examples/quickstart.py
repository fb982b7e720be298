"""Quickstart: a completion, a stream, a typed error and what the call cost, through OmniGate.

    python examples/quickstart.py          # or: make demo

Talks to the gateway in OMNIGATE_BASE_URL (with OMNIGATE_API_KEY), or to a local gateway started
in-process when OMNIGATE_BASE_URL is unset. The only change from plain `openai` is the import.
"""

from __future__ import annotations

from _gateway import configured_gateway
from openai.types.chat import ChatCompletionMessageParam

import omnigate_openai
from omnigate_openai import OpenAI  # was: from openai import OpenAI

MODEL = "gpt-4o-mini"
HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "Say hello in one short sentence."}]


def main() -> None:
    with configured_gateway() as gateway, OpenAI(**gateway.options()) as client:
        print(f"Using {gateway.where}.\n")

        completion = client.chat.completions.create(model=MODEL, messages=HELLO)
        print("Completion:", completion.choices[0].message.content)
        print("Cost:", cost_of(completion))

        print("Stream:    ", end="")
        for chunk in client.chat.completions.create(model=MODEL, messages=HELLO, stream=True):
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()

        try:
            client.with_options(api_key="llmg_not-a-real-key").chat.completions.create(model=MODEL, messages=HELLO)
        except omnigate_openai.AuthError as error:  # also an openai.AuthenticationError
            print(f"Typed error: {type(error).__name__} ({error.status_code}): {error.message}")


def cost_of(completion: object) -> str:
    """The gateway bills by usage x its own prices; the client reads those prices once and does the same sum."""
    meta = omnigate_openai.meta(completion)
    if meta.cost_usd is None:
        return "unknown (the gateway's prices could not be fetched)"
    return f"${meta.cost_usd:.6f}, answered by {meta.provider} (request {meta.request_id})"


if __name__ == "__main__":
    main()
