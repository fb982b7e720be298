"""Streams dropped before their end: settled as broken off, but never inside a garbage collection.

A guarded stream (or raw response) the caller drops before its end is settled when it is freed. When
the garbage collector frees it (an emulated stream and its generator refer to each other; so do
httpx's request and response), that settlement would run inside the collection, and a collection
starts at any allocation, perhaps while this very thread holds the store's or the guard's lock:
the settlement would wait for that lock forever. So while a collection runs, the call is only
queued (`SimpleQueue.put` is safe there), and a thread of this module settles it just after.
Freed by its last reference going away, outside a collection, a call is settled at once (a call
of the async client: by a task of its event loop, so that the guard's async hooks are awaited).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import queue
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._call import GuardedCall

__all__ = ["settle_abandoned", "start_settler"]

log = logging.getLogger("omnigate_openai.guard")

_waiting: queue.SimpleQueue[GuardedCall] = queue.SimpleQueue()
_collecting = False
_settler: threading.Thread | None = None
_on_the_loop: set[asyncio.Task[None]] = set()
_starting = threading.Lock()


def settle_abandoned(call: GuardedCall) -> None:
    """Settle `call` as broken off: now, or just after the garbage collection that found it dropped.

    A call of the async client is settled by a task of its event loop, which awaits the guard's async
    hooks (an async generator being closed cannot await); with no loop running, by the settler thread.
    """
    if _collecting:
        _waiting.put(call)
    elif not call.asynchronous:
        call.stream_ended(None, broken=True)
    else:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            _waiting.put(call)
            return
        task = loop.create_task(_settled_on_the_loop(call))
        _on_the_loop.add(task)  # the loop holds its tasks weakly
        task.add_done_callback(_on_the_loop.discard)


def start_settler() -> None:
    """Start the thread that settles what a collection queued (once per process; not from a collection)."""
    global _settler
    with _starting:
        if _settler is None:
            _settler = threading.Thread(target=_settle_queued, name="omnigate-guard-settler", daemon=True)
            _settler.start()


def _settle_queued() -> None:
    while True:
        call = _waiting.get()
        if call.asynchronous:  # its hooks may be coroutines: run them as the async client would
            asyncio.run(_settled_on_the_loop(call))
            continue
        try:
            call.stream_ended(None, broken=True)
        except Exception as exc:  # a hook's failure must not end the thread that settles every later call
            log.warning("Guard %s: settling a dropped stream failed: %s", call.guard.path, exc)


async def _settled_on_the_loop(call: GuardedCall) -> None:
    try:
        await call.astream_ended(None, broken=True)
    except Exception as exc:  # nobody awaits this: say what failed instead of leaving it unretrieved
        log.warning("Guard %s: settling a dropped stream failed: %s", call.guard.path, exc)


def _note_collection(phase: str, _info: dict[str, Any]) -> None:
    global _collecting
    _collecting = phase == "start"


def _forked() -> None:
    """A forked child has no settler thread: start its own if the parent had one."""
    global _settler, _starting
    had, _settler, _starting = _settler is not None, None, threading.Lock()
    if had:
        start_settler()


gc.callbacks.append(_note_collection)
os.register_at_fork(after_in_child=_forked)
