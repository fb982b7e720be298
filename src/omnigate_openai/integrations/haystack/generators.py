"""Haystack generators on gateway clients, whose `to_dict()` says how to build those clients again.

Haystack serializes a component as its init parameters and loads it by calling its class with them.
Its own generators then build `openai.OpenAI` clients: the key sent as a bearer token (not in the
gateway's own header), and none of what the gateway client adds (tool emulation, the Responses
API over the chat route, routing, bounds). These subclasses keep the gateway client's settings in
their fields (`api_base_url`, `timeout`, `max_retries`, and `client_options` for the rest) and the
key as a `Secret` naming an environment variable (`OMNIGATE_API_KEY` unless told otherwise), and
build gateway clients from them in `warm_up()`: after `close()`, and in a loaded pipeline.

What no field can carry (a guard, a response store of your own, credentials in the URL, a header
that looks like a secret, a timeout that is not a number of seconds, another gateway's client)
is never dropped: `to_dict()` and a rebuild after `close()` raise a `ConfigurationError` naming it.
Haystack loads classes only from modules on its allowlist: pass
`allowed_modules=["omnigate_openai.integrations.haystack.generators"]` to `Pipeline.loads`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar, cast

import openai
from haystack import component
from haystack.components.generators.chat import OpenAIChatGenerator, OpenAIResponsesChatGenerator
from haystack.utils import Secret

from ..._client import AsyncOpenAI, OpenAI
from ..._exceptions import ConfigurationError
from ..._masking import SENSITIVE_HEADERS
from ..._response_store import MemoryResponseStore
from ...omnigate import OMNIGATE
from ...omnigate._native import Routing
from .._clients import default_model, pair

__all__ = ["CLIENT_OPTIONS", "GatewayChatGenerator", "GatewayResponsesChatGenerator", "wired"]

CLIENT_OPTIONS = frozenset(
    {
        "user_id",
        "default_headers",
        "fallbacks",
        "cache",
        "deadline",
        "max_retry_wait",
        "emulate_tools",
        "allow_ignored_fields",
        "max_reasks",
    }
)
"""What `client_options` may hold: the gateway client's settings that Haystack's fields lack."""
_SECRET_LOOKING = re.compile(r"auth|key|token|secret|passw|cookie|credential", re.IGNORECASE)

_GeneratorT = TypeVar("_GeneratorT", "GatewayChatGenerator", "GatewayResponsesChatGenerator")


class _GatewayClients:
    """What both generators add to Haystack's: gateway clients built from the fields, and those fields."""

    api_key: Secret
    api_base_url: str | None
    timeout: float | None
    max_retries: int | None
    client: openai.OpenAI | None  # Haystack's annotations; ours are subclasses
    async_client: openai.AsyncOpenAI | None
    _not_carried: str | None = None
    """What the clients the helper was given have that the fields can't carry (None: nothing)."""

    def __init__(
        self,
        *,
        api_key: Secret = Secret.from_env_var(OMNIGATE.env.api_key),  # noqa: B008 (Haystack's own idiom)
        model: str = "gpt-4o-mini",
        api_base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        client_options: Mapping[str, Any] | None = None,
        streaming_callback: Any = None,
        generation_kwargs: dict[str, Any] | None = None,
        tools: Any = None,
        tools_strict: bool = False,
    ) -> None:
        """Haystack's fields, but `organization` and `http_client_kwargs` (the gateway client builds its own
        transport); unset ones are the gateway client's defaults and `OMNIGATE_*` variables, never
        `OPENAI_*`. `client_options`: the client's other settings, named in `CLIENT_OPTIONS`."""
        unknown = set(client_options or {}) - CLIENT_OPTIONS
        if unknown:
            raise TypeError(f"Unknown client_options {sorted(unknown)}; known: {sorted(CLIENT_OPTIONS)}")
        self.client_options = dict(client_options or {})
        cast(Any, super()).__init__(
            api_key=api_key,
            model=model,
            api_base_url=api_base_url,
            timeout=timeout,
            max_retries=max_retries,
            streaming_callback=streaming_callback,
            generation_kwargs=generation_kwargs,
            tools=tools,
            tools_strict=tools_strict,
        )

    def warm_up(self) -> None:
        if self.client is None:
            self.client = OpenAI(**self._client_kwargs())

    async def warm_up_async(self) -> None:
        if self.async_client is None:
            self.async_client = AsyncOpenAI(**self._client_kwargs())

    def to_dict(self) -> dict[str, Any]:
        self._refuse_if_not_carried("serialize this generator")
        data: dict[str, Any] = cast(Any, super()).to_dict()
        del data["init_parameters"]["organization"], data["init_parameters"]["http_client_kwargs"]
        data["init_parameters"]["client_options"] = dict(self.client_options)
        return data

    def _client_kwargs(self) -> dict[str, Any]:
        self._refuse_if_not_carried("build this generator's client again")
        options = dict(self.client_options)
        bounds = {"timeout": self.timeout, "max_retries": self.max_retries}
        return {
            "api_key": self.api_key.resolve_value(),
            "base_url": self.api_base_url,
            "_routing": Routing(fallbacks=options.pop("fallbacks", ()), cache=options.pop("cache", None)),
            **{name: value for name, value in bounds.items() if value is not None},
            **options,
        }

    def _refuse_if_not_carried(self, doing: str) -> None:
        if self._not_carried is not None:
            raise ConfigurationError(
                f"Can't {doing}: its gateway client has {self._not_carried}, which no field can carry. "
                "Build the generator from a client without it."
            )


@component
class GatewayChatGenerator(_GatewayClients, OpenAIChatGenerator):
    """An `OpenAIChatGenerator` on gateway clients; built by `haystack.chat_generator`."""


@component
class GatewayResponsesChatGenerator(_GatewayClients, OpenAIResponsesChatGenerator):
    """An `OpenAIResponsesChatGenerator` on gateway clients; built by `haystack.responses_chat_generator`."""


def wired(
    generator_class: type[_GeneratorT], client: OpenAI, async_client: AsyncOpenAI | None, **kwargs: Any
) -> _GeneratorT:
    """A generator given both clients, with the fields that build them again (`kwargs` win: `api_key=`);
    `model=None` is the gateway's default model."""
    sync, async_ = pair(client, async_client)
    fields, not_carried = fields_of(sync)
    if not_carried is None and fields_of(async_) != (fields, None):
        not_carried = "a twin that differs from it"
    model = default_model(sync, kwargs.pop("model", None))
    generator = generator_class(**{**fields, **kwargs, "model": model})
    generator.client, generator.async_client = sync, async_
    generator._not_carried = not_carried
    return generator


def fields_of(client: OpenAI | AsyncOpenAI) -> tuple[dict[str, Any], str | None]:
    """The generator fields that build `client` again, and what they can't carry (None: nothing)."""
    options = client._twin_options()
    settings = options["_settings"]
    routing: Routing = options["_routing"]
    timeout = options["timeout"]
    default_timeout = timeout == openai.DEFAULT_TIMEOUT
    secret_headers = [name for name in options["default_headers"] if _looks_secret(name)]
    lost = [
        what
        for what, is_lost in (
            ("a guard, which counts calls in this process", options["_guard"] is not None),
            ("a response store of its own", type(options["response_store"]) is not MemoryResponseStore),
            ("credentials in its base URL", settings.url_credentials is not None),
            (f"the settings of another gateway ({settings.profile.name})", settings.profile is not OMNIGATE),
            (
                f"a timeout that is not a number of seconds ({timeout!r})",
                not default_timeout and not _is_seconds(timeout),
            ),
            *((f"the header {name!r}, which looks like a secret", True) for name in secret_headers),
        )
        if is_lost
    ]
    return {
        "api_key": Secret.from_env_var(OMNIGATE.env.api_key),
        "api_base_url": settings.base_url,
        "timeout": None if default_timeout else timeout,
        "max_retries": options["max_retries"],
        "client_options": {
            "user_id": settings.user_id,
            "default_headers": {k: v for k, v in options["default_headers"].items() if k not in secret_headers},
            "fallbacks": list(routing.fallbacks),
            "cache": routing.cache,
            "deadline": options["deadline"],
            "max_retry_wait": options["max_retry_wait"],
            "emulate_tools": settings.emulate_tools,
            "allow_ignored_fields": settings.allow_ignored_fields,
            "max_reasks": settings.max_reasks,
        },
    }, "; ".join(lost) or None


def _is_seconds(timeout: object) -> bool:
    return isinstance(timeout, (int, float)) and not isinstance(timeout, bool)


def _looks_secret(header: str) -> bool:
    return header.lower() in SENSITIVE_HEADERS or _SECRET_LOOKING.search(header) is not None
