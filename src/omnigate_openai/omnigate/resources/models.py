"""Models with prices (`/v1/models`), and pricing a call the way the gateway bills it."""

from __future__ import annotations

from typing import Any, ClassVar, cast
from urllib.parse import quote

from pydantic import Field
from typing_extensions import Unpack

from ..._request_options import RequestOptions, options
from ..._sdk import AsyncAPIResource, SyncAPIResource
from .._pricing import PriceCache, price_call, prices_from_models
from ..types._base import GatewayModel
from ..types.models import ModelInfo

__all__ = ["AsyncModelsMethods", "ModelsMethods"]


class ModelsMethods(SyncAPIResource):
    """`models()`, `model(id)` and `price(model, usage)` of `client.gateway`."""

    def models(self, **request: Unpack[RequestOptions]) -> list[ModelInfo]:
        """Every model the gateway prices, with `provider` and `pricing` (USD per 1,000 tokens)."""
        models = cast("list[ModelInfo]", self._get("/models", options=_list_options(request), cast_to=_ModelList))
        _refresh(_price_cache(self._client), models)
        return models

    def model(self, model_id: str, **request: Unpack[RequestOptions]) -> ModelInfo:
        """One model card; dated names (`gpt-4o-2024-08-06`) get their parent's price.

        Raises `ModelNotFoundError` (404) for a model the gateway cannot price.
        """
        return self._get(_model_path(model_id), options=options(request), cast_to=ModelInfo)

    def price(self, model: str, usage: object, **request: Unpack[RequestOptions]) -> float:
        """What the gateway bills for `usage` on `model` (the provider-reported name), in USD.

        Prices come from `GET /v1/models`, fetched once per client (the cache `meta()` uses too).
        Like the gateway, a name it cannot resolve to a priced model (`gpt-4-0613`) costs 0.0.
        Raises `TypeError` when `usage` has no token counts (`price_call`'s reason).
        """
        _check_model(model)
        cache = _price_cache(self._client)
        if cache.prices is None:
            self.models(**request)
        return _priced(cache, model, usage)


class AsyncModelsMethods(AsyncAPIResource):
    """`models()`, `model(id)` and `price(model, usage)` of `client.gateway`."""

    async def models(self, **request: Unpack[RequestOptions]) -> list[ModelInfo]:
        """Every model the gateway prices, with `provider` and `pricing` (USD per 1,000 tokens)."""
        page = await self._get("/models", options=_list_options(request), cast_to=_ModelList)
        models = cast("list[ModelInfo]", page)
        _refresh(_price_cache(self._client), models)
        return models

    async def model(self, model_id: str, **request: Unpack[RequestOptions]) -> ModelInfo:
        """One model card; dated names (`gpt-4o-2024-08-06`) get their parent's price.

        Raises `ModelNotFoundError` (404) for a model the gateway cannot price.
        """
        return await self._get(_model_path(model_id), options=options(request), cast_to=ModelInfo)

    async def price(self, model: str, usage: object, **request: Unpack[RequestOptions]) -> float:
        """What the gateway bills for `usage` on `model` (the provider-reported name), in USD.

        Prices come from `GET /v1/models`, fetched once per client (the cache `meta()` uses too).
        Like the gateway, a name it cannot resolve to a priced model (`gpt-4-0613`) costs 0.0.
        Raises `TypeError` when `usage` has no token counts (`price_call`'s reason).
        """
        _check_model(model)
        cache = _price_cache(self._client)
        if cache.prices is None:
            await self.models(**request)
        return _priced(cache, model, usage)


class _ModelList(GatewayModel):
    """The `{"object": "list", "data": [...]}` envelope; callers get `data`."""

    _list_field: ClassVar[str | None] = "data"

    object: str = "list"
    data: list[ModelInfo] = Field(default_factory=list)


def _list_options(request: RequestOptions) -> Any:
    built = options(request)
    built["post_parser"] = _unwrap_list  # type: ignore[typeddict-unknown-key]
    return built


def _unwrap_list(page: _ModelList) -> list[ModelInfo]:
    return list(page.data)


def _model_path(model_id: str) -> str:
    """`/models/<id>`, the id percent-quoted, after refusing what no model id holds (protocol §3, §11.11).

    Ids are bare names or `azure/<deployment>` / `models/<gemini>`: at most one `/`. Sent as given, an
    empty or `..` step, `?` or `#` would make the URL ask for another route or cut the id short (`a//b`,
    `../me`, `gpt-4o?x`), and whitespace or control characters are no model's name.
    """
    if not isinstance(model_id, str) or not model_id:
        raise ValueError(f"Expected `model_id` to be a non-empty string, got {model_id!r}")
    steps = model_id.split("/")
    if any(step in ("", ".", "..") for step in steps):
        raise ValueError(f"`model_id` may not have an empty, `.` or `..` part, got {model_id!r}")
    if len(steps) > 2:
        raise ValueError(f"`model_id` may hold one `/` at most (as in 'azure/gpt-4o'), got {model_id!r}")
    if any(char in "?#" or char.isspace() or not char.isprintable() for char in model_id):
        raise ValueError(f"`model_id` may not contain `?`, `#`, whitespace or control characters, got {model_id!r}")
    return "/models/" + quote(model_id, safe="/")


def _check_model(model: object) -> None:
    if not isinstance(model, str) or not model.strip():
        raise ValueError(f"Expected `model` to be a non-empty model name, got {model!r}")


def _price_cache(client: Any) -> PriceCache:
    """The client's one price cache (shared with its copies), which `meta()` prices compat calls from."""
    cache = client._price_cache
    assert isinstance(cache, PriceCache), "an OmniGate client always has a price cache"
    return cache


def _refresh(cache: PriceCache, models: object) -> None:
    """Store a fresh model list's prices; a raw response (`with_raw_response.models()`) is not a list.

    Its prices were checked on arrival (`_shapes.py`): a list with a price that is no amount never gets here.
    """
    if isinstance(models, list):
        cache.store(prices_from_models({"data": [info.model_dump(warnings=False) for info in models]}))


def _priced(cache: PriceCache, model: str, usage: object) -> float:
    """`price_call`'s figure; where it has none (usage without token counts), its reason as the error."""
    cost = price_call(cache.prices, model, usage)
    if cost.usd is None:
        raise TypeError(f"Cannot price {model!r}: {cost.note}")
    return cost.usd
