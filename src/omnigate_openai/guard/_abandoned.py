"""Streams dropped before their end: settled as broken off, but never inside a garbage collection.

A guarded stream (or raw response) the caller drops before its end is settled when it is freed. When
the garbage collector frees it (an emulated stream and its generator refer to each other; so do
httpx's request and response), that settlement would run inside the collection, and a collection
starts at any allocation, perhaps while this very thread holds the store's or the guard's lock:
the settlement would wait for that lock forever. So while a collection runs, the call is only
queued (`SimpleQueue.put` is safe there), and a thread of this module settles it just after.
Freed by its last reference going away, outside a collection, a call is settled at once, as before.
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
_starting = threading.Lock()


def settle_abandoned(call: GuardedCall) -> None:
    """Settle `call` as broken off: now, or just after the garbage collection that found it dropped."""
    if _collecting:
        _waiting.put(call)
    else:
        call.stream_ended(None, broken=True)


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
        try:
            if call.asynchronous:  # its hooks may be coroutines: run them as the async client would
                asyncio.run(call.astream_ended(None, broken=True))
            else:
                call.stream_ended(None, broken=True)
        except Exception as exc:  # a hook's failure must not end the thread that settles every later call
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
