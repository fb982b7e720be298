"""Models with prices (`/v1/models`), and pricing a call the way the gateway bills it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard, cast

from pydantic import Field
from typing_extensions import Unpack

from ..._arguments import path_segment
from ..._request_options import RequestOptions, options
from ..._sdk import AsyncAPIResource, SyncAPIResource
from .. import _pricing
from ..types._base import GatewayModel
from ..types.models import ModelInfo, ModelPricing

__all__ = ["AsyncModelsMethods", "ModelsMethods", "PriceTable", "price_of"]

PriceTable = Mapping[str, ModelPricing | None]
"""Model id -> pricing, as `GET /v1/models` lists it."""


class ModelsMethods(SyncAPIResource):
    """`models()`, `model(id)` and `price(model, usage)` of `client.gateway`."""

    _price_table: PriceTable | None = None

    def models(self, **request: Unpack[RequestOptions]) -> list[ModelInfo]:
        """Every model the gateway prices, with `provider` and `pricing` (USD per 1,000 tokens)."""
        models = cast("list[ModelInfo]", self._get("/models", options=_list_options(request), cast_to=_ModelList))
        self._price_table = _price_table(models) or self._price_table  # `price()` reuses the latest list
        return models

    def model(self, model_id: str, **request: Unpack[RequestOptions]) -> ModelInfo:
        """One model card; dated names (`gpt-4o-2024-08-06`) get their parent's price.

        Raises `ModelNotFoundError` (404) for a model the gateway cannot price.
        """
        return self._get(_model_path(model_id), options=options(request), cast_to=ModelInfo)

    def price(self, model: str, usage: object, **request: Unpack[RequestOptions]) -> float:
        """What the gateway bills for `usage` on `model` (the provider-reported name), in USD.

        Prices come from `GET /v1/models`, fetched once per client. Like the gateway, a name it
        cannot resolve to a priced model (`gpt-4-0613`) costs 0.0.
        """
        if self._price_table is None:
            self.models(**request)
        assert self._price_table is not None
        return price_of(self._price_table, model, usage)


class AsyncModelsMethods(AsyncAPIResource):
    """`models()`, `model(id)` and `price(model, usage)` of `client.gateway`."""

    _price_table: PriceTable | None = None

    async def models(self, **request: Unpack[RequestOptions]) -> list[ModelInfo]:
        """Every model the gateway prices, with `provider` and `pricing` (USD per 1,000 tokens)."""
        page = await self._get("/models", options=_list_options(request), cast_to=_ModelList)
        models = cast("list[ModelInfo]", page)
        self._price_table = _price_table(models) or self._price_table  # `price()` reuses the latest list
        return models

    async def model(self, model_id: str, **request: Unpack[RequestOptions]) -> ModelInfo:
        """One model card; dated names (`gpt-4o-2024-08-06`) get their parent's price.

        Raises `ModelNotFoundError` (404) for a model the gateway cannot price.
        """
        return await self._get(_model_path(model_id), options=options(request), cast_to=ModelInfo)

    async def price(self, model: str, usage: object, **request: Unpack[RequestOptions]) -> float:
        """What the gateway bills for `usage` on `model` (the provider-reported name), in USD.

        Prices come from `GET /v1/models`, fetched once per client. Like the gateway, a name it
        cannot resolve to a priced model (`gpt-4-0613`) costs 0.0.
        """
        if self._price_table is None:
            await self.models(**request)
        assert self._price_table is not None
        return price_of(self._price_table, model, usage)


class _ModelList(GatewayModel):
    """The `{"object": "list", "data": [...]}` envelope; callers get `data`."""

    object: str = "list"
    data: list[ModelInfo] = Field(default_factory=list)


def _list_options(request: RequestOptions) -> Any:
    built = options(request)
    built["post_parser"] = _unwrap_list  # type: ignore[typeddict-unknown-key]
    return built


def _unwrap_list(page: _ModelList) -> list[ModelInfo]:
    return list(page.data)


def _model_path(model_id: str) -> str:
    return "/models/" + path_segment("model_id", model_id, keep_slashes=True)  # `azure/gpt-4o`: the route takes a path


def _price_table(models: object) -> dict[str, ModelPricing | None] | None:
    """The prices of a model list; None when `models` is a raw response (`with_raw_response.models()`)."""
    if not isinstance(models, list):
        return None
    return {info.id: info.pricing for info in models}


def price_of(table: PriceTable, model: str, usage: object) -> float:
    """The cost of `usage` on `model` under `table`, resolved and quantised as OmniGate does."""
    prompt_tokens, completion_tokens = token_counts(usage)
    prices = {name: (p.input_per_1k_usd, p.output_per_1k_usd) for name, p in table.items() if p is not None}
    priced = _pricing.resolve_priced_model(model, prices)
    return 0.0 if priced is None else float(_pricing.quantised_cost(prices[priced], prompt_tokens, completion_tokens))


def token_counts(usage: object) -> tuple[int, int]:
    """Prompt and completion tokens from an `openai` usage object, a gateway `usage` or a mapping."""
    if isinstance(usage, Mapping):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens", 0)
    else:
        prompt, completion = getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", 0)
    if _is_count(prompt) and _is_count(completion):
        return prompt, completion
    raise TypeError(
        "Expected usage with integer `prompt_tokens` and `completion_tokens` "
        f"(an openai CompletionUsage or a mapping), got {usage!r}"
    )


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
