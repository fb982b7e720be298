"""Sync and async drivers for guarded calls: a scenario is written once and run through both clients."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway

__all__ = ["MODES", "QUIET", "Answer", "Driver", "ask", "calls_until_refused", "history_of"]

MODES = ("sync", "async")

QUIET = og.LoopDetection(same_answer=None, ping_pong=None)
"""The local gateway's model always gives the same answer: tests of other controls switch that check off."""


@dataclass
class Answer:
    text: str
    cost_usd: float | None


@dataclass
class Driver:
    mode: Literal["sync", "async"]
    gateway: LocalGateway
    client_options: dict[str, Any]

    def ask(self, guard: og.Guard | None, agent_id: str | None = None, **call: Any) -> Answer:
        """One guarded chat call (streams read to the end), through a new client of this driver's kind."""
        if self.mode == "sync":
            return self._sync(guard, agent_id, call)
        return asyncio.run(self._async(guard, agent_id, call))

    def _options(self) -> dict[str, Any]:
        return {
            "base_url": self.gateway.base_url,
            "api_key": self.gateway.api_key,
            "max_retries": 0,
            **self.client_options,
        }

    def _sync(self, guard: og.Guard | None, agent_id: str | None, call: dict[str, Any]) -> Answer:
        with og.OpenAI(**self._options()) as client:
            agent = client.with_routing(**call.pop("routing")) if "routing" in call else client
            agent = agent.with_guard(guard, agent_id=agent_id)
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}], **call}
            if body.get("stream"):
                stream = agent.chat.completions.create(**body)
                text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
                return Answer(text, og.meta(stream).cost_usd)
            completion = agent.chat.completions.create(**body)
            return Answer(completion.choices[0].message.content or "", og.meta(completion).cost_usd)

    async def _async(self, guard: og.Guard | None, agent_id: str | None, call: dict[str, Any]) -> Answer:
        async with og.AsyncOpenAI(**self._options()) as client:
            agent = client.with_routing(**call.pop("routing")) if "routing" in call else client
            agent = agent.with_guard(guard, agent_id=agent_id)
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}], **call}
            if body.get("stream"):
                stream = await agent.chat.completions.create(**body)
                text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream if chunk.choices])
                return Answer(text, og.meta(stream).cost_usd)
            completion = await agent.chat.completions.create(**body)
            return Answer(completion.choices[0].message.content or "", og.meta(completion).cost_usd)


def ask(driver: Driver, guard: og.Guard, text: str, agent_id: str | None = None, **call: Any) -> Answer:
    return driver.ask(guard, agent_id, messages=[{"role": "user", "content": text}], **call)


def calls_until_refused(call: Callable[[int], object], *, most: int = 20) -> tuple[int, og.LimitExceededError]:
    """Call `call(0)`, `call(1)`, ... until a limit refuses one: (how many were answered, the refusal)."""
    for index in range(most):
        try:
            call(index)
        except og.LimitExceededError as refused:
            return index, refused
    raise AssertionError(f"No limit refused any of {most} calls")


def history_of(guard: og.Guard, calls: int, *, within: float = 10.0) -> list[og.CallRecord]:
    """The guard's history once `calls` calls are in it: a stream that a garbage collection freed is
    settled by a thread just after the collection, not by the collection itself."""
    deadline = time.monotonic() + within
    while len(records := guard.history()) < calls:
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(records)} of {calls} calls settled after {within} s")
        time.sleep(0.005)
    return records
