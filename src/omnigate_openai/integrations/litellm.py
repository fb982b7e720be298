"""LiteLLM (the library): `completion` / `acompletion` that send through a gateway client, errors intact.

Two traps when LiteLLM builds the client itself, even under `patch_openai()`: it caches the first
`openai.OpenAI` it built for a key and base URL and reuses it, so settings patched later (another
`user_id`) never reach its calls; and it wraps any exception the client raises, so the client's
refusal of a field the gateway would drop (`UnsupportedFeatureError`) comes back as a 500
`InternalServerError`, which its `num_retries` then retries. These helpers pass the gateway client
per call (`client=`, which LiteLLM uses as given), turn LiteLLM's retries off (the client retries
already, with the gateway's rules), and re-raise the gateway's typed error where LiteLLM wrapped one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .._client import KEY_PLACEHOLDER, AsyncOpenAI, OpenAI
from .._exceptions import GatewayError
from ._clients import gateway_client

__all__ = ["acompletion", "completion"]


def completion(client: OpenAI, **kwargs: Any) -> Any:
    """`litellm.completion(**kwargs)` through `client`; `model=` as LiteLLM spells it (`openai/gpt-4o-mini`)."""
    import litellm

    with _gateway_errors():
        return litellm.completion(**_through(gateway_client(client, OpenAI), kwargs))


async def acompletion(client: AsyncOpenAI, **kwargs: Any) -> Any:
    """`litellm.acompletion(**kwargs)` through `client`."""
    import litellm

    with _gateway_errors():
        return await litellm.acompletion(**_through(gateway_client(client, AsyncOpenAI), kwargs))


def _through(client: OpenAI | AsyncOpenAI, kwargs: dict[str, Any]) -> dict[str, Any]:
    # `api_key` and `api_base` are only shown in LiteLLM's logs: the client carries the real ones.
    return {"num_retries": 0, **kwargs, "client": client, "api_key": KEY_PLACEHOLDER, "api_base": str(client.base_url)}


@contextmanager
def _gateway_errors() -> Iterator[None]:
    """LiteLLM's exception, unless it wraps one of the gateway's: then that one, typed as the client raised it."""
    try:
        yield
    except Exception as error:
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, GatewayError):
            cause = cause.__cause__ or cause.__context__
        if cause is None:
            raise
        raise cause from error
