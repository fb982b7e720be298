"""Typed answers of the Flow gateway's discovery routes (public, like `openai.types`).

They are `openai.BaseModel`s, as the SDK's `cast_to` requires; fields the platform adds are kept
and readable, as on every model of the SDK.
"""

from __future__ import annotations

from openai import BaseModel

__all__ = ["ProviderModel", "ProviderModels", "Providers"]


class ProviderModel(BaseModel):
    """One model a provider offers, named as calls name it (`openai/gpt-4o`)."""

    id: str
    """The `provider/model` name to pass as `model=`."""


class ProviderModels(BaseModel):
    """`GET /api/v1/gateway/models/{provider}?scope=...`: what one provider offers in that scope."""

    provider: str
    models: list[ProviderModel]
    total: int
    """How many models the provider offers in the scope (the platform's count; may exceed `len(models)`)."""


class Providers(BaseModel):
    """`GET /api/v1/gateway/models/providers/list`: every provider the gateway knows."""

    providers: list[str] = []  # noqa: RUF012  # pydantic copies it; the SDK's `construct` ignores factories
    """Empty when the answer carries no list (the Flow SDK reads it as `data.get("providers", [])`)."""
