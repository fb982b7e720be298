"""smolagents: an `OpenAIServerModel` that calls the gateway through our client.

`OpenAIServerModel(model_id)` builds `openai.OpenAI(api_key=None, base_url=None)`, that is a client
for api.openai.com with `OPENAI_API_KEY`, unless it is given `client=`. `model` passes the gateway
client, so an agent built on it can't reach another host. smolagents retries an error whose text
contains "429" or "rate limit" for minutes; `retry=False` turns that off (the client retries already).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import OpenAI
from ._clients import default_model, gateway_client

if TYPE_CHECKING:
    from smolagents import OpenAIServerModel

__all__ = ["model"]


def model(client: OpenAI, model_id: str | None = None, **kwargs: Any) -> OpenAIServerModel:
    """An `OpenAIServerModel` for `model_id` over `client` (sync: smolagents calls it synchronously);
    `model_id` is the gateway's default when not given (`gpt-4o-mini`; on Flow `openai/gpt-4o-mini`).

    Other keywords are the model's (`retry=`, `requests_per_minute=`, `temperature=`, ...).
    """
    from smolagents import OpenAIServerModel

    gateway = gateway_client(client, OpenAI)
    return OpenAIServerModel(default_model(gateway, model_id), client=gateway, **kwargs)
