"""An agent loop under a guard: a spend limit stops it before it overspends, and a loop is caught.

    python examples/agent_guard.py

Talks to the gateway in OMNIGATE_BASE_URL (with OMNIGATE_API_KEY), or to a local gateway started
in-process when OMNIGATE_BASE_URL is unset. Every call is checked before it is sent: its worst case
is reserved against the budget, then settled to what the gateway really billed.
"""

from __future__ import annotations

from _gateway import configured_gateway

import omnigate_openai as og

BUDGET_USD = 0.0001


def main() -> None:
    warnings: list[og.LimitWarning] = []
    guard = og.Guard(
        limits=og.Limits(max_usd=BUDGET_USD, max_calls=50),
        loops=og.LoopDetection(same_request=2, same_answer=None),
        on_warning=warnings.append,
        warn_at=0.5,
        name="example",
    )
    with configured_gateway() as gateway, gateway.client(timeout=30.0, max_retries=0) as client:
        print(f"Using {gateway.where}.\n")
        researcher = client.with_guard(guard, agent_id="researcher")

        # 1. An agent that keeps asking: the budget stops it before a call that might not fit is sent.
        step = 0
        try:
            while True:
                step += 1
                researcher.chat.completions.create(
                    model="gpt-4o-mini",
                    messages=[{"role": "user", "content": f"Research step {step}: one short sentence."}],
                    max_tokens=30,
                )
        except og.LimitExceededError as stopped:
            print(f"Budget stop after {step - 1} calls: {stopped.limit} of {stopped.scope}")
            print(f"  used or reserved ${stopped.current:.6f}, this call needed ${stopped.requested:.6f}")
        spent = guard.metrics(agent_id="researcher")
        print(
            f"  spent ${spent.cost_usd:.6f} of ${BUDGET_USD}, {spent.calls} calls, {spent.reserved_usd} still reserved"
        )
        for warning in warnings:
            print(f"  warned at {warning.current:.6f} of {warning.maximum} ({warning.limit})")

        # 2. An agent stuck repeating itself: the third identical request is never sent.
        guard.reset()
        looper = client.with_guard(guard, agent_id="looper")
        try:
            for _ in range(5):
                looper.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": "Is the task done yet?"}], max_tokens=10
                )
        except og.LoopDetectedError as loop:
            print(f"\nLoop stopped: {loop.kind} by agent {loop.agent_id!r} ({loop})")

        print("\nCall history:")
        for record in guard.history():
            outcome = record.error or f"${record.cost_usd:.6f} ({record.cost_source})"
            print(f"  {record.agent_id}: {record.model} {record.request_summary!r} -> {outcome}")


if __name__ == "__main__":
    main()
