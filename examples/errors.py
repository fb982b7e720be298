"""Errors: every gateway failure is a typed `omnigate_openai` error that is also the matching `openai` one.

    python examples/errors.py

Old `except openai.RateLimitError:` blocks keep working; new code can tell a provider's failure from
the gateway's own, and a spent budget from a bad key. Against the local gateway (OMNIGATE_BASE_URL
unset) faults are injected to show every kind; against a real gateway only the first two run.
"""

from __future__ import annotations

from collections.abc import Callable

import openai
from _gateway import configured_gateway

import omnigate_openai
from omnigate_openai import OpenAI

HELLO = [{"role": "user", "content": "Say hello."}]


def ask(client: OpenAI, model: str = "gpt-4o-mini") -> None:
    client.chat.completions.create(model=model, messages=HELLO)  # type: ignore[arg-type]


def ask_streaming(client: OpenAI) -> None:
    for _ in client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, stream=True):  # type: ignore[arg-type]
        pass


def show(what: str, call: Callable[[], None]) -> None:
    try:
        call()
    except omnigate_openai.GatewayError as error:
        also = next(c.__name__ for c in type(error).__mro__ if c.__module__.startswith("openai"))
        details = ""
        if isinstance(error, omnigate_openai.ProviderError):
            details = f" [provider={error.provider}, upstream_status={error.upstream_status}]"
        print(f"{what:<28} {type(error).__name__} (also openai.{also}){details}: {error}")
    else:
        print(f"{what:<28} no error")


def main() -> None:
    with configured_gateway() as gateway, gateway.client(max_retries=0) as client:
        print(f"Using {gateway.where}.\n")
        show("a wrong gateway key", lambda: ask(client.with_options(api_key="llmg_not-a-real-key")))
        show("a model nobody serves", lambda: ask(client, model="no-such-model"))
        show("two choices (n=2)", lambda: client.chat.completions.create(model="gpt-4o-mini", messages=HELLO, n=2))
        local = gateway.local
        if local is None:
            return
        local.faults.exhaust_budget("project", "daily")
        show("the daily budget is spent", lambda: ask(client))
        local.faults.restore_budgets()
        local.faults.rate_limit()
        show("the gateway's rate limit", lambda: ask(client))
        local.faults.provider_error(401)
        show("the provider rejects its key", lambda: ask(client))
        local.faults.midstream(after=3)
        show("the provider fails mid-stream", lambda: ask_streaming(client))
        try:
            ask(client.with_options(api_key="llmg_not-a-real-key"))
        except openai.AuthenticationError:
            print("\n`except openai.AuthenticationError:` still catches the gateway's 401.")


if __name__ == "__main__":
    main()
