"""Where the client and its streams meet a guard, without loading one.

The guard package loads with the first `with_guard` (or the first guard name read from
`omnigate_openai`), not with `import omnigate_openai`. A guarded attempt rides on its request's
`extensions` under one key (`guard/_call.py` puts it there); the functions here ask that key, so a
client or stream without a guard never touches the guard's code. Wherever they find an attempt,
the guard that made it is loaded already.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._meta import GatewayMeta
    from ._profile import GatewayProfile
    from ._sdk import FinalRequestOptions
    from .guard._call import GuardBinding, GuardedCall

__all__ = [
    "EXTENSION",
    "answer_read_above",
    "astream_closed",
    "guarded_call",
    "is_chat",
    "needs_prices",
    "remember_attempt",
    "stream_closed",
    "stream_opened",
    "usage_hidden",
]

EXTENSION = "omnigate_openai.guard"


def guarded_call(request: Any) -> GuardedCall | None:
    """The guarded attempt a request carries, if its client has a guard and the attempt is not settled yet
    (a settled or refused attempt lets go of its request: `GuardedCall._claim`)."""
    found: GuardedCall | None = request.extensions.get(EXTENSION)
    return found


def is_chat(options: FinalRequestOptions, profile: GatewayProfile) -> bool:
    return options.url in profile.chat_paths and options.method.lower() == "post"


def needs_prices(binding: GuardBinding | None, options: FinalRequestOptions, profile: GatewayProfile) -> bool:
    """A guarded chat call on either route reserves at the gateway's prices."""
    return binding is not None and is_chat(options, profile)


def remember_attempt(response: Any, built: object, found: GatewayMeta) -> None:
    """Keep a non-streamed attempt's own cost and usage with its guarded call, as the gateway billed that attempt."""
    call = guarded_call(response.request)
    if call is not None and not call.stream:
        call.remember(found, getattr(built, "usage", None))


def answer_read_above(stream: Any) -> GuardedCall | None:
    """The guarded call of a stream whose answer a layer above reads (emulated tool calls out of the text).

    From now on what the guard records and checks (text, tool calls, usage) is what that layer hands to
    `saw`: the answer as the caller sees it. The stream's own chunks settle the call only when they fail
    or are broken off; when they end, the layer above settles it (`stream_ended`) after reading the rest.
    """
    call = guarded_call(stream.response.request)
    if call is not None:
        call.read_above = True
    return call


def stream_opened(stream: Any) -> None:
    """A stream of a guarded call is settled as broken off when it is freed before it settled: a stream never
    iterated never starts the generator that settles it, and its reservation would wait for its expiry."""
    call = guarded_call(stream.response.request)
    if call is not None:
        call.settle_when_freed(stream)


def stream_closed(stream: Any) -> None:
    """`stream.close()` before its end: a guarded call is settled as broken off (a no-op once settled)."""
    call = guarded_call(stream.response.request)
    if call is not None:
        call.stream_ended(stream, broken=True)


async def astream_closed(stream: Any) -> None:
    """`await stream.close()` before its end: settled as broken off, with the guard's async hooks awaited."""
    call = guarded_call(stream.response.request)
    if call is not None:
        await call.astream_ended(stream, broken=True)


def usage_hidden(request: Any, usage: object) -> None:
    """A stream's usage chunk that the caller does not see (the client asked for it): a guard counts its tokens."""
    call = guarded_call(request)
    if call is not None:
        call.usage_hidden(usage)
