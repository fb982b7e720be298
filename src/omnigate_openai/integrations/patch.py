"""`patch_openai()`: code that builds `openai.OpenAI()` itself gets a gateway client instead.

For libraries that construct their own client and take none. While patched, constructing exactly
`openai.OpenAI` or `openai.AsyncOpenAI` gives an `omnigate_openai` client (a subclass, so
`isinstance` checks hold) with the settings given to `patch_openai`, or the `OMNIGATE_*` variables.
The caller's `api_key`, `base_url`, `organization` and `project` are dropped: an OpenAI key must
never reach the gateway, nor the gateway key OpenAI. Other options (`timeout`, `max_retries`,
`http_client`, `default_headers`, ...) are kept. Subclasses such as `AzureOpenAI` are left alone.

The patch wraps the two constructors with `wrapt` (so `from openai import OpenAI` done before the
patch is covered too), is idempotent, reversible with `unpatch_openai()`, and guarded by a lock.
It also turns openai-agents' tracing off (`_agents_tracing.py`), which would otherwise send each
run's prompts and answers to OpenAI, unless `agents_tracing=True`.
"""

from __future__ import annotations

import threading
from typing import Any

import openai

from .._client import AsyncOpenAI, OpenAI
from .._config import Settings

__all__ = ["is_patched", "patch_openai", "unpatch_openai"]

_TARGETS: tuple[tuple[type[Any], type[Any]], ...] = ((openai.OpenAI, OpenAI), (openai.AsyncOpenAI, AsyncOpenAI))
_DROPPED = ("api_key", "base_url", "organization", "project")
_lock = threading.Lock()
_settings: Settings | None = None


def patch_openai(
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    user_id: str | None = None,
    allow_ignored_fields: bool = False,
    emulate_tools: bool = True,
    agents_tracing: bool = False,
) -> None:
    """From now on, `openai.OpenAI(...)` and `openai.AsyncOpenAI(...)` build gateway clients.

    The settings are resolved now (arguments, else `OMNIGATE_*`), so a missing key fails here rather
    than at a library's first call. Patching again replaces the settings; it never wraps twice.
    openai-agents' tracing is turned off until `unpatch_openai()` (now, or when openai-agents is
    imported): it exports every prompt and answer to api.openai.com with `OPENAI_API_KEY`.
    `agents_tracing=True` leaves it as it is, as does `agents.set_tracing_disabled(False)` after this.
    """
    import wrapt

    from . import _agents_tracing  # loaded by the first patch, as wrapt is

    global _settings
    settings = Settings.resolve(
        profile=OpenAI._profile,
        api_key=api_key,
        base_url=base_url,
        user_id=user_id,
        admin_key=None,
        allow_ignored_fields=allow_ignored_fields,
        require_key=True,
        emulate_tools=emulate_tools,
    )
    with _lock:
        _settings = settings
        for sdk_class, _ in _TARGETS:
            if not _is_wrapped(sdk_class):
                wrapt.wrap_function_wrapper(sdk_class, "__init__", _construct)
        if agents_tracing:
            _agents_tracing.put_back()  # patched again, now with tracing wanted
        else:
            _agents_tracing.turn_off()


def unpatch_openai() -> None:
    """Undo `patch_openai`: clients built from now on are plain `openai` clients, and openai-agents' tracing is
    as it was before. Safe to call when unpatched."""
    global _settings
    from . import _agents_tracing

    with _lock:
        for sdk_class, _ in _TARGETS:
            if _is_wrapped(sdk_class):
                sdk_class.__init__ = vars(sdk_class)["__init__"].__wrapped__
        _settings = None
        _agents_tracing.put_back()


def is_patched() -> bool:
    """Whether `openai.OpenAI()` currently builds gateway clients."""
    with _lock:
        return _settings is not None


def _is_wrapped(sdk_class: type[Any]) -> bool:
    return getattr(vars(sdk_class).get("__init__"), "_self_wrapper", None) is _construct


def _construct(wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The wrapper of `openai.OpenAI.__init__`: turn a plain construction into a gateway client's."""
    settings = _settings
    gateway_class = next((ours for sdk, ours in _TARGETS if type(instance) is sdk), None)
    if settings is None or gateway_class is None:  # a subclass (ours included), or unpatched meanwhile
        wrapped(*args, **kwargs)
        return
    # Same layout (our clients add no slots), so the instance can become one before it is initialised;
    # our `__init__` then reaches this wrapper again through `super()`, as a subclass, and passes through.
    instance.__class__ = gateway_class
    options = {name: value for name, value in kwargs.items() if name not in _DROPPED}
    gateway_class.__init__(instance, *args, _settings=settings, **options)
