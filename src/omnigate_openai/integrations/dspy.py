"""DSPy: a `dspy.LM` whose every call goes through the gateway clients.

DSPy 3.4's default engine for `dspy.LM("openai/...")` is its own HTTP code (the vendored lm15): it
never builds an `openai.OpenAI`, so `patch_openai()` can't reach it, and it sends prompts to
api.openai.com with `OPENAI_API_KEY`. `engine="litellm"` goes through LiteLLM instead, with
LiteLLM's own caveats (see `integrations.litellm`). `lm` gives DSPy custom engines (its documented
extension point: `complete(Request) -> Response`) that call `client.chat.completions.create`, so
DSPy's requests get the gateway key, the user id, typed errors and tool/JSON emulation. DSPy
converts its request to chat-completion arguments and the completion back with its own dialect.
Streaming through these engines is not offered (DSPy then reports the feature as unsupported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._clients import default_model, pair

if TYPE_CHECKING:
    import dspy

    from .._client import AsyncOpenAI, OpenAI

__all__ = ["AsyncGatewayEngine", "GatewayEngine", "lm"]


def lm(client: OpenAI, async_client: AsyncOpenAI | None = None, *, model: str | None = None, **kwargs: Any) -> dspy.LM:
    """A `dspy.LM` for `model` over `client` (and `async_client`, or a twin); for `dspy.configure(lm=...)`;
    `model` is the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are `dspy.LM`'s generation settings (`temperature=`, `max_tokens=`, `cache=`, ...).
    """
    import dspy

    sync, async_ = pair(client, async_client)
    model = default_model(sync, model)
    return dspy.LM(f"openai/{model}", engine=GatewayEngine(sync), async_engine=AsyncGatewayEngine(async_), **kwargs)


def _arguments(request: Any) -> dict[str, Any]:
    from dspy.clients.lm15_boundary import request_kwargs

    # DSPy's model is `openai/<name>`; the gateway wants the name (or its own `provider/name` form).
    return {**request_kwargs(request, "chat"), "model": request.model.removeprefix("openai/")}


def _response(raw: Any, request: Any) -> Any:
    from dspy.clients.lm15_boundary import response_value

    return response_value(raw, "chat", request)


def _no_stream() -> Exception:
    from dspy.lm15 import UnsupportedFeatureError

    error: Exception = UnsupportedFeatureError(
        "Streaming is not offered by the omnigate_openai DSPy engine; call without it"
    )
    return error


class GatewayEngine:
    """DSPy's sync engine over a gateway `OpenAI`: one chat completion per request."""

    def __init__(self, client: OpenAI) -> None:
        self.client = client

    def complete(self, request: Any) -> Any:
        return _response(self.client.chat.completions.create(**_arguments(request)), request)

    def stream(self, request: Any) -> Any:  # noqa: ARG002 (DSPy's engine protocol names it)
        raise _no_stream()

    def close(self) -> None:
        """The client belongs to the caller, who closes it."""


class AsyncGatewayEngine:
    """DSPy's async engine over a gateway `AsyncOpenAI`."""

    def __init__(self, client: AsyncOpenAI) -> None:
        self.client = client

    async def complete(self, request: Any) -> Any:
        return _response(await self.client.chat.completions.create(**_arguments(request)), request)

    def stream(self, request: Any) -> Any:  # noqa: ARG002 (DSPy's engine protocol names it)
        raise _no_stream()

    async def aclose(self) -> None:
        """The client belongs to the caller, who closes it."""
