"""Model cards of `/v1/models`, with the gateway's prices."""

from __future__ import annotations

from ._base import GatewayModel

__all__ = ["ModelInfo", "ModelPricing"]


class ModelPricing(GatewayModel):
    """What the gateway charges for a model, in USD per 1,000 tokens: finite amounts >= 0 (an answer with any
    other price, NaN, infinite or negative, is refused with `InvalidResponseError`)."""

    input_per_1k_usd: float
    """USD per 1,000 prompt tokens."""

    output_per_1k_usd: float
    """USD per 1,000 completion tokens."""


class ModelInfo(GatewayModel):
    """One model the gateway can route and price (`client.models.list()` returns OpenAI's `Model` instead)."""

    id: str
    """The model name to send, e.g. `gpt-4o-mini`."""

    object: str = "model"

    created: int = 0
    """Always 0 on OmniGate 0.2."""

    owned_by: str
    """`openai`, `anthropic`, `google`, `azure` or `unknown`."""

    provider: str
    """The provider the gateway routes the model to: `openai`, `anthropic`, `gemini`, `azure` or `unknown`."""

    pricing: ModelPricing | None = None
    """None only for a model the gateway cannot price (it then bills $0)."""
