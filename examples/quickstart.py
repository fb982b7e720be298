"""Quickstart: a completion, a stream, a typed error and what the call cost, through OmniGate.

    python examples/quickstart.py          # or: make demo

Talks to the gateway in OMNIGATE_BASE_URL (with OMNIGATE_API_KEY), or to a local gateway started
in-process when OMNIGATE_BASE_URL is unset. The only change from plain `openai` is the import.
"""

from __future__ import annotations

from _gateway import configured_gateway

import omnigate_openai
from omnigate_openai import OpenAI  # was: from openai import OpenAI

MODEL = "gpt-4o-mini"
HELLO = [{"role": "user", "content": "Say hello in one short sentence."}]


def main() -> None:
    with configured_gateway() as gateway, gateway.client() as client:
        print(f"Using {gateway.where}.\n")

        completion = client.chat.completions.create(model=MODEL, messages=HELLO)  # type: ignore[arg-type]
        print("Completion:", completion.choices[0].message.content)
        print("Cost:", cost_of(client, completion))

        print("Stream:    ", end="")
        for chunk in client.chat.completions.create(model=MODEL, messages=HELLO, stream=True):  # type: ignore[arg-type]
            if chunk.choices and chunk.choices[0].delta.content:
                print(chunk.choices[0].delta.content, end="", flush=True)
        print()

        try:
            client.with_options(api_key="llmg_not-a-real-key").chat.completions.create(model=MODEL, messages=HELLO)  # type: ignore[arg-type]
        except omnigate_openai.AuthError as error:  # also an openai.AuthenticationError
            print(f"Typed error: {type(error).__name__} ({error.status_code}): {error.message}")


def cost_of(client: OpenAI, completion: object) -> str:
    """The gateway's own figure when it sent one; else usage times the model's listed price."""
    meta = omnigate_openai.meta(completion)
    if meta.cost_usd is not None:
        return f"${meta.cost_usd:.6f} (reported by the gateway, served by {meta.provider}/{meta.model})"
    usage = getattr(completion, "usage", None)
    pricing = (client.models.retrieve(MODEL).model_extra or {}).get("pricing") or {}
    if usage is None or not pricing:
        return "unknown (no cost header, and no price listed for the model)"
    cost = (
        usage.prompt_tokens * pricing["input_per_1k_usd"] + usage.completion_tokens * pricing["output_per_1k_usd"]
    ) / 1000
    return f"${cost:.6f} (computed from usage and the price in GET /v1/models/{MODEL})"


if __name__ == "__main__":
    main()
