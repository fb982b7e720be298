"""openai-agents' tracing, turned off while `patch_openai()` is in force, and put back after.

Under the patch an agent's calls go through the gateway, but openai-agents' tracing (on by default)
exports every prompt and answer to api.openai.com with `OPENAI_API_KEY`, through an HTTP client of
its own that the patch does not reach. So the patch turns it off as `openai_agents.install` does
(`set_tracing_disabled(True)`): at once if openai-agents is imported, else as soon as it is (a
post-import hook: importing it costs a second, and a process that never does must not pay for it;
where it is not installed nothing is done at all).

openai-agents reads `OPENAI_AGENTS_DISABLE_TRACING` once, at its first trace; `set_tracing_disabled`
overrides it from then on. What `unpatch_openai()` puts back is that override as it was found
(`DefaultTraceProvider._manual_disabled`, None meaning "as the variable says", which no public call
can say); a trace provider of the application's own is set back to enabled, openai-agents' default.
A provider the application sets while patched (`set_trace_provider`) is left as it comes: tracing on.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

__all__ = ["put_back", "turn_off"]

_MODULE = "agents"
_OVERRIDE = "_manual_disabled"

_lock = threading.RLock()
_wanted_off = False
_found: tuple[Any, bool | None] | None = None
"""The provider this module turned tracing off on, and its override before; None: it has turned nothing off."""
_hook_waiting = False


def turn_off() -> None:
    """openai-agents' tracing off now, or once openai-agents is imported; nothing if it is not installed."""
    global _wanted_off, _hook_waiting
    with _lock:
        _wanted_off = True
        if _found is not None:
            return
        imported = _MODULE in sys.modules  # perhaps half-imported by another thread: see `_turn_off_once_loaded`
        if not imported:
            if _hook_waiting or importlib.util.find_spec(_MODULE) is None:
                return
            _hook_waiting = True
    if imported:
        _turn_off_once_loaded()
        return
    import wrapt

    wrapt.register_post_import_hook(_imported, _MODULE)  # calls it now if the import began meanwhile


def put_back() -> None:
    """The tracing setting `turn_off` found; a hook still waiting for the import will do nothing."""
    global _wanted_off, _found
    with _lock:
        _wanted_off = False
        if _found is None:
            return
        (provider, override), _found = _found, None
        if override is None and hasattr(provider, _OVERRIDE):
            setattr(provider, _OVERRIDE, None)  # read again at the next trace, with the variable
        else:
            provider.set_disabled(bool(override))


def _imported(module: object) -> None:
    global _hook_waiting
    del module
    with _lock:
        _hook_waiting = False
    _turn_off_once_loaded()


def _turn_off_once_loaded() -> None:
    """Tracing off, once openai-agents has finished loading.

    `sys.modules` holds it from the start of its import: importing `agents.tracing` from this thread while
    another thread is still importing `agents` makes that import fail. `import_module` waits for the other
    thread's import (Python's per-module import lock), and must wait outside `_lock`: the import runs
    `_imported` at its end, which takes `_lock`.
    """
    try:
        importlib.import_module(_MODULE)
    except ImportError:  # the other thread's import failed: nothing to turn off
        return
    with _lock:
        if _wanted_off and _found is None:
            _turn_off_now()


def _turn_off_now() -> None:
    global _found
    try:
        from agents.tracing import get_trace_provider
    except ImportError:  # a module named `agents` that is not openai-agents
        return
    provider = get_trace_provider()
    _found = (provider, getattr(provider, _OVERRIDE, None))
    provider.set_disabled(True)
