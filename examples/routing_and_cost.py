"""Routing and cost: provider fallbacks, the response cache, which provider answered and what each call cost.

    python examples/routing_and_cost.py

Talks to the gateway in OMNIGATE_BASE_URL (with OMNIGATE_API_KEY), or to a local gateway started
in-process when OMNIGATE_BASE_URL is unset; there, the primary model is made to fail once so that
the fallback is taken. Every call has a timeout, so the script cannot hang on an unreachable gateway.
"""

from __future__ import annotations

from decimal import Decimal

from _gateway import configured_gateway

import omnigate_openai

PRIMARY = "gpt-4o"
FALLBACK = "anthropic/claude-3-5-haiku-latest"  # portable names work for fallbacks too
HELLO = [{"role": "user", "content": "Say hello in one short sentence."}]


def main() -> None:
    with configured_gateway() as gateway, gateway.client(timeout=30.0, max_retries=0) as client:
        print(f"Using {gateway.where}.\n")
        spent = []

        for model in (PRIMARY, FALLBACK, "mistral-large"):
            route = client.gateway.route(model)
            print(f"route {model}: provider={route.provider}, key configured={route.key_configured}", end="")
            print("" if route.ready else f" -> {route.problem}")

        if gateway.local is not None:  # a real gateway's primary fails on its own schedule
            gateway.local.faults.provider_error(500, model=PRIMARY)
        routed = client.with_routing(fallbacks=[FALLBACK])
        completion = routed.chat.completions.create(model=PRIMARY, messages=HELLO)  # type: ignore[arg-type]
        spent.append(show("fallback", completion))

        cached = client.with_routing(cache=True)
        for attempt in ("first", "again"):
            answer = cached.chat.completions.create(model="gpt-4o-mini", messages=HELLO, temperature=0)  # type: ignore[arg-type]
            spent.append(show(f"cache ({attempt})", answer))

        plain = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)  # type: ignore[arg-type]
        spent.append(show("compat", plain))

        total = sum((Decimal(str(cost)) for cost in spent if cost is not None), Decimal(0))
        print(f"\nspent by these calls: ${total:.6f}")
        if gateway.local is not None:  # a shared gateway's metrics include other traffic
            accounted = client.gateway.metrics(range="1h").totals.cost_usd
            print(f"the gateway's own accounting (/v1/metrics): ${Decimal(str(accounted)):.6f}")

        # The native plain-text stream, as text (or iterate it for ChatCompletionChunks). It carries no
        # usage, so its cost shows only in the gateway's metrics.
        text = "".join(client.gateway.chat_stream(model="gpt-4o-mini", messages=HELLO).text())
        print(f"native stream: {text!r}")


def show(label: str, completion: object) -> float | None:
    meta = omnigate_openai.meta(completion)
    cost = "unknown" if meta.cost_usd is None else f"${meta.cost_usd:.6f}"
    print(
        f"{label}: provider={meta.provider} model={meta.model} cached={meta.cached} "
        f"fallback_used={meta.fallback_used} cost={cost} request_id={meta.request_id}"
    )
    return meta.cost_usd


if __name__ == "__main__":
    main()
