"""Loop detection from what the client sees, with no extra arguments: requests, answers, tool calls.

Four patterns, each with its own threshold (`LoopDetection`):
- the same request sent again and again (identical bytes: the conversation did not move on);
- the same answer coming back again and again in one conversation: to a request that already
  carries that very answer as its last assistant message (the model was shown what it said, and
  said it again). The same answer to unrelated requests is not a loop: a classifier answers "yes"
  to many questions, and a stand-in model answers everything alike;
- the same tool called with the same arguments again and again;
- two agents ping-ponging: A's answer, B's answer, A's same answer, B's same answer, ..., each
  request carrying the answer before it (B was handed A's answer): agents taking turns on unrelated
  requests are not ping-ponging, however alike their answers.

Each is checked before a call is sent, so the call that would continue the loop is the one refused.
An SDK retry of a request is not a repetition. The tracker keeps a bounded window per agent.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import NamedTuple

from ._errors import LoopDetectedError, LoopKind

__all__ = ["DICT_LIKE", "LIST_LIKE", "LoopDetection", "LoopEvent", "LoopTracker", "echoed_answer", "fingerprint"]


class LoopEvent(NamedTuple):
    """What `LoopDetection.on_loop` is shown: which pattern, for which agent, how many repetitions."""

    kind: LoopKind
    agent_id: str | None
    count: int  # type: ignore[assignment]  # shadows tuple.count, as a NamedTuple field of that name does
    message: str


@dataclasses.dataclass(frozen=True)
class LoopDetection:
    """Thresholds (None turns a check off) and an optional hook that decides instead of the error.

    `on_loop(event)` returns True to let the call go on, False to refuse it with `LoopDetectedError`
    (it may be async on an async client).
    """

    same_request: int | None = 3
    """Identical requests an agent may send within the window; the next one is refused."""
    same_answer: int | None = 3
    """Identical answers in a row, each but the first to a request that carried it back, after which the
    agent's next call is refused (the same answer to unrelated requests does not count)."""
    same_tool_call: int | None = 3
    """Calls of one tool with the same arguments within the window after which the next call is refused."""
    ping_pong: int | None = 3
    """Rounds of two agents answering each other the same way after which their next call is refused."""
    window: int = 20
    """How many recent calls of each agent are remembered."""
    on_loop: Callable[[LoopEvent], bool | Awaitable[bool]] | None = None

    def __post_init__(self) -> None:
        for name in ("same_request", "same_answer", "same_tool_call", "ping_pong", "window"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"Expected LoopDetection({name}=...) to be an int >= 1 or None, got {value!r}")


DICT_LIKE = (dict, Mapping)
LIST_LIKE = (list, tuple, Sequence)
"""What `isinstance` is given for a request's messages: a plain dict or list is told in C, before the
ABC's check, which runs in Python (a guarded call makes several of these)."""

Fingerprint = int
"""What the windows keep of a request, an answer or a tool call: a hash, not the text (bodies can be large)."""


fingerprint: Callable[[bytes | str], Fingerprint] = hash
"""Python's own hash, called directly: the windows live in one process, where it is stable, and it costs a
tenth of a digest. Two texts sharing a hash (64 bits; 32 on a 32-bit build) within one agent's window of 20
is as good as impossible. Unlike encoding for a digest, it takes any text, lone surrogates included."""


def answer_fingerprint(content: str | None, tool_calls: Sequence[tuple[str, str]]) -> Fingerprint:
    if not tool_calls:  # the join below of the text alone: the usual answer, a few hundred nanoseconds sooner
        return fingerprint(content or "")
    parts = [content or ""] + [f"{name}\0{arguments}" for name, arguments in tool_calls]
    return fingerprint("\x1e".join(parts))


def echoed_answer(messages: object) -> Fingerprint | None:
    """The fingerprint of the last assistant message a request carries (what the model said before), if any."""
    if not isinstance(messages, LIST_LIKE) or isinstance(messages, (str, bytes)):
        return None
    for message in reversed(messages):
        if isinstance(message, DICT_LIKE) and message.get("role") == "assistant":
            content = message.get("content")
            if isinstance(content, list):  # content parts
                content = "".join(part.get("text", "") for part in content if isinstance(part, DICT_LIKE))
            calls = []
            for call in message.get("tool_calls") or ():
                function = call.get("function") if isinstance(call, DICT_LIKE) else None
                if isinstance(function, DICT_LIKE):
                    calls.append((str(function.get("name") or ""), str(function.get("arguments") or "")))
            return answer_fingerprint(content if isinstance(content, str) else None, calls)
    return None


@dataclasses.dataclass
class _Agent:
    requests: deque[Fingerprint]
    answers: deque[tuple[Fingerprint, bool]]
    """Each answer, and whether its request carried that same answer back."""
    tool_calls: deque[Fingerprint]


class LoopTracker:
    """What each agent sent and got, in bounded windows. Thread-safe."""

    def __init__(self, config: LoopDetection) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._agents: dict[str | None, _Agent] = {}
        rounds = min(config.ping_pong or 1, config.window)  # a ping-pong is seen within the window
        self._exchanges: deque[tuple[str | None, Fingerprint]] = deque(maxlen=2 * rounds + 2)
        self._last_text: str | None = None

    def _new_agent(self, agent_id: str | None) -> _Agent:
        size = self.config.window
        found = self._agents[agent_id] = _Agent(deque(maxlen=size), deque(maxlen=size), deque(maxlen=size))
        return found

    def check(self, agent_id: str | None, request: Fingerprint) -> LoopEvent | None:
        """The loop this request would continue, if any; None lets it go (and it is remembered)."""
        with self._lock:
            agent = self._agents.get(agent_id) or self._new_agent(agent_id)
            event = self._find(agent_id, agent, request)
            if event is None:
                agent.requests.append(request)
            return event

    def remember_anyway(self, agent_id: str | None, request: Fingerprint) -> None:
        """A hook let a looping call go on: count it like any other."""
        with self._lock:
            (self._agents.get(agent_id) or self._new_agent(agent_id)).requests.append(request)

    def _find(self, agent_id: str | None, agent: _Agent, request: Fingerprint) -> LoopEvent | None:
        config = self.config
        if config.same_request is not None:
            count = agent.requests.count(request)
            if count >= config.same_request:
                return LoopEvent(
                    "same_request", agent_id, count + 1, f"{_who(agent_id)} sent the same request {count + 1} times"
                )
        answers, wanted = agent.answers, config.same_answer
        if wanted is not None and len(answers) >= wanted:
            last = answers[-1][0]
            if all(answers[-index][0] == last for index in range(2, wanted + 1)) and all(
                answers[-index][1] for index in range(1, wanted)
            ):
                message = f"{_who(agent_id)} got the same answer {wanted} times in a row in one conversation"
                return LoopEvent("same_answer", agent_id, wanted, message)
        if config.same_tool_call is not None and agent.tool_calls:
            _, count = Counter(agent.tool_calls).most_common(1)[0]
            if count >= config.same_tool_call:
                return LoopEvent(
                    "same_tool_call",
                    agent_id,
                    count,
                    f"{_who(agent_id)} called the same tool with the same arguments {count} times",
                )
        exchanges = self._exchanges
        if config.ping_pong is not None and len(exchanges) >= 4 and exchanges[-1][0] != exchanges[-2][0]:
            rounds = self._ping_pong_rounds()
            pair_ids = (exchanges[-1][0], exchanges[-2][0])
            if rounds >= min(config.ping_pong, config.window) and agent_id in pair_ids:
                pair = " and ".join(repr(name) for name in sorted(pair_ids, key=str))
                return LoopEvent(
                    "ping_pong", agent_id, rounds, f"agents {pair} answered each other the same way {rounds} times"
                )
        return None

    def _ping_pong_rounds(self) -> int:
        """How many A/B rounds at the end of the exchange log (four or more turns, the last two by two agents)
        repeat the same two answers."""
        log = list(self._exchanges)
        same = 2
        while same < len(log) and log[-1 - same] == log[-1 - same + 2]:
            same += 1
        return same // 2

    def answered(
        self,
        agent_id: str | None,
        answer: Fingerprint,
        tool_calls: Sequence[Fingerprint],
        echoed: Fingerprint | None,
        text: str,
        messages: object,
    ) -> None:
        """`echoed`: the last assistant message of the request (`echoed_answer`), to tell a conversation stuck
        on one answer from unrelated requests answered alike; `text` and the request's `messages`, to tell
        agents handing each other their answers from agents taking turns on unrelated requests."""
        with self._lock:
            agent = self._agents.get(agent_id) or self._new_agent(agent_id)
            agent.answers.append((answer, echoed == answer))
            agent.tool_calls.extend(tool_calls)
            if self.config.ping_pong is not None and not _carries(messages, self._last_text):
                self._exchanges.clear()  # not handed the answer before it: the chain of turns is broken
            self._exchanges.append((agent_id, answer))
            self._last_text = text

    def reset(self) -> None:
        with self._lock:
            self._agents.clear()
            self._exchanges.clear()
            self._last_text = None


def _who(agent_id: str | None) -> str:
    return "the agent" if agent_id is None else f"agent {agent_id!r}"


def _carries(messages: object, text: str | None) -> bool:
    """Whether a request's messages hand on `text` (the answer before it) as one message's content."""
    if not text or not isinstance(messages, LIST_LIKE) or isinstance(messages, (str, bytes)):
        return False
    return any(isinstance(message, DICT_LIKE) and message.get("content") == text for message in reversed(messages))


def loop_error(event: LoopEvent) -> LoopDetectedError:
    return LoopDetectedError(
        f"Loop detected: {event.message}; no call was sent", kind=event.kind, agent_id=event.agent_id, count=event.count
    )


def decide_sync(config: LoopDetection, event: LoopEvent) -> bool:
    from ._guard import hook_result_sync

    return False if config.on_loop is None else bool(hook_result_sync(config.on_loop, event, "on_loop"))


async def decide_async(config: LoopDetection, event: LoopEvent) -> bool:
    from ._guard import hook_result_async

    return False if config.on_loop is None else bool(await hook_result_async(config.on_loop, event, "on_loop"))
