"""`models()`, `model(id)` and `price(model, usage)`: live, replayed, and against the gateway's own bills."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from openai.types import CompletionUsage

from _fakes import fake_key
from _hostile import hostile_server
from omnigate_openai import AuthError, ModelNotFoundError
from omnigate_openai.omnigate._pricing import price_call, prices_from_models, token_counts
from omnigate_openai.types import ModelInfo, ModelPricing

from ._support import REFERENCE, Driver, driver, recorded, recorded_json

KEY = fake_key("llmg_", "gateway-model-ids-0123456789")

# --- live --------------------------------------------------------------------------------------------------------


def test_models_lists_priced_cards(live: Driver) -> None:
    models = live(lambda g: g.models())
    assert len(models) == 28
    assert all(isinstance(m, ModelInfo) and isinstance(m.pricing, ModelPricing) for m in models)
    mini = next(m for m in models if m.id == "gpt-4o-mini")
    assert (mini.provider, mini.pricing.input_per_1k_usd, mini.pricing.output_per_1k_usd) == ("openai", 0.00015, 0.0006)


def test_openai_models_list_still_returns_openai_models(live: Driver) -> None:
    page = live(lambda _: live.client.models.list())
    first = page.data[0]
    assert type(first) is openai.types.Model
    assert first.id == "claude-3-5-haiku-latest"


def test_model_by_id_takes_dated_and_azure_names(live: Driver) -> None:
    dated = live(lambda g: g.model("gpt-4o-2024-08-06"))
    assert dated.id == "gpt-4o-2024-08-06"
    assert dated.pricing == ModelPricing(input_per_1k_usd=0.0025, output_per_1k_usd=0.01)
    assert live(lambda g: g.model("azure/gpt-4o")).pricing == dated.pricing


def test_unknown_model_is_model_not_found(live: Driver) -> None:
    with pytest.raises(ModelNotFoundError, match="model 'no-such-model' not found") as caught:
        live(lambda g: g.model("no-such-model"))
    assert isinstance(caught.value, openai.NotFoundError)


BAD_IDS = {  # a model id no model has, and why it is refused
    "": "Expected `model_id` to be a non-empty string, got ''",
    "a//b": "`model_id` may not have an empty, `.` or `..` part, got 'a//b'",
    "/gpt-4o": "`model_id` may not have an empty, `.` or `..` part, got '/gpt-4o'",
    "azure/": "`model_id` may not have an empty, `.` or `..` part, got 'azure/'",
    "../me": "`model_id` may not have an empty, `.` or `..` part, got '../me'",
    "azure/..": "`model_id` may not have an empty, `.` or `..` part, got 'azure/..'",
    "azure/gpt-4o/x": "`model_id` may hold one `/` at most (as in 'azure/gpt-4o'), got 'azure/gpt-4o/x'",
    "gpt-4o?x=1": "`model_id` may not contain `?`, `#`, whitespace or control characters, got 'gpt-4o?x=1'",
    "gpt-4o#x": "`model_id` may not contain `?`, `#`, whitespace or control characters, got 'gpt-4o#x'",
    "gpt 4o": "`model_id` may not contain `?`, `#`, whitespace or control characters, got 'gpt 4o'",
    "gpt-4o\t": "`model_id` may not contain `?`, `#`, whitespace or control characters, got 'gpt-4o\\t'",
    "gpt-4o\x00": "`model_id` may not contain `?`, `#`, whitespace or control characters, got 'gpt-4o\\x00'",
}
SENT_AS = {  # a model id, and the path `model(id)` asks for
    "gpt-4o": "/v1/models/gpt-4o",
    "azure/gpt-4o": "/v1/models/azure/gpt-4o",
    "models/gemini-1.5-pro": "/v1/models/models/gemini-1.5-pro",
    "ft:gpt-4o:acme%1": "/v1/models/ft%3Agpt-4o%3Aacme%251",
    "modèle": "/v1/models/mod%C3%A8le",
}


@pytest.mark.parametrize("model_id", list(BAD_IDS))
def test_a_model_id_no_model_has_is_refused_before_sending(mode: str, model_id: str) -> None:
    """`a//b`, `gpt-4o?x=1` or `gpt-4o#x` were sent as given: the URL asked for another route or cut the id short."""
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/ok/v1", api_key=KEY) as gateway,
        pytest.raises(ValueError, match="model_id") as caught,
    ):
        gateway(lambda g: g.model(model_id))
    assert type(caught.value) is ValueError
    assert str(caught.value) == BAD_IDS[model_id]
    assert server.requests == []


def test_a_model_id_is_sent_quoted_with_its_one_slash(mode: str) -> None:
    with hostile_server() as (server, _), driver(mode, base_url=f"{server.url}/ok/v1", api_key=KEY) as gateway:
        for model_id in SENT_AS:
            gateway(lambda g, model_id=model_id: g.model(model_id))
    assert [seen.path.removeprefix("/ok") for seen in server.requests] == list(SENT_AS.values())


def test_bad_key_is_auth_error(mode: str, local_gateway: Any) -> None:
    with (
        driver(mode, base_url=local_gateway.base_url, api_key="llmg_not-a-key") as bad,
        pytest.raises(AuthError, match="Invalid API key") as caught,
    ):
        bad(lambda g: g.models())
    assert isinstance(caught.value, openai.AuthenticationError)


def test_price_matches_what_the_gateway_bills(live: Driver) -> None:
    hello = [{"role": "user", "content": "Hi"}]
    completion = live(lambda _: live.client.chat.completions.create(model="gpt-4o", messages=hello))
    billed = live(lambda g: g.metrics(range="1h")).totals.cost_usd
    assert live(lambda g: g.price(completion.model, completion.usage)) == billed > 0


def test_price_fetches_the_price_list_once_per_client(live: Driver, local_gateway: Any) -> None:
    usage = {"prompt_tokens": 1000, "completion_tokens": 1000}
    assert live(lambda g: g.price("gpt-4o-mini", usage)) == 0.00075
    assert live(lambda g: g.price("o1", usage)) == 0.075
    assert len(local_gateway.calls.to("/v1/models")) == 1


def test_models_raw_response_has_headers(live: Driver) -> None:
    raw = live(lambda g: g.with_raw_response.models())
    assert raw.http_request.url.path == "/v1/models"
    assert raw.headers.get("x-request-id")
    assert len(raw.parse()) == 28


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------


def test_replay_models_list(replay: Any) -> None:
    with replay("models_list") as (gw, _):
        models = gw(lambda g: g.models())
    assert [m.model_dump() for m in models] == recorded_json("models_list", 1)["data"]


@pytest.mark.parametrize("name", ["models_retrieve_priced", "models_retrieve_dated_suffix"])
def test_replay_model_by_id(replay: Any, name: str) -> None:
    wanted = recorded_json(name, 1)
    with replay(name) as (gw, _):
        assert gw(lambda g: g.model(wanted["id"])).model_dump() == wanted


def test_replay_unknown_model(replay: Any) -> None:
    with (
        replay("models_retrieve_unknown_404") as (gw, _),
        pytest.raises(ModelNotFoundError, match="model 'no-such-model' not found"),
    ):
        gw(lambda g: g.model("no-such-model"))


def test_replay_models_without_key(replay: Any) -> None:
    with (
        replay("models_no_key_401") as (gw, _),
        pytest.raises(AuthError, match=r"Missing x-api-key header \(or Authorization: Bearer token\)"),
    ):
        gw(lambda g: g.models())


def _billed_calls() -> list[tuple[str, str, dict[str, int], float]]:
    """Every uncached native answer in the reference set: (cassette, served model, usage, cost_usd)."""
    rows = []
    for path in sorted(REFERENCE.glob("native_*.yaml")):
        for interaction in recorded(path.stem):
            text = interaction["response"]["body"]["string"]
            if not text.startswith("{") or '"cost_usd"' not in text:
                continue
            body = json.loads(text)
            if body.get("cached") is False and "usage" in body:
                rows.append((path.stem, body["model"], body["usage"], body["cost_usd"]))
    return rows


@pytest.mark.parametrize(("cassette", "model", "usage", "cost"), _billed_calls(), ids=lambda v: str(v)[:40])
def test_price_agrees_with_every_recorded_bill(replay: Any, cassette: str, model: str, usage: Any, cost: float) -> None:
    del cassette
    with replay("models_list") as (gw, _):
        assert gw(lambda g: g.price(model, usage)) == cost


# --- pure ----------------------------------------------------------------------------------------------------------

TABLE = prices_from_models(
    {"data": [{"id": "gpt-4o", "pricing": {"input_per_1k_usd": 0.0025, "output_per_1k_usd": 0.01}}]}
)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", 0.000118),  # 0.0001175 rounds half to even, as the server stores it
        ("gpt-4o-2024-08-06", 0.000118),  # a dated name resolves to its parent
        ("azure/gpt-4o", 0.000118),
        ("gpt-4o-0613", 0.0),  # a 4-digit suffix does not resolve: the gateway bills $0
        ("mistral-large", 0.0),
    ],
)
def test_price_resolves_names_like_the_gateway(model: str, expected: float) -> None:
    assert price_call(TABLE, model, {"prompt_tokens": 15, "completion_tokens": 8}).usd == expected


def test_token_counts_accepts_openai_usage_and_mappings() -> None:
    usage = CompletionUsage(prompt_tokens=3, completion_tokens=4, total_tokens=7)
    assert token_counts(usage) == (3, 4)
    assert token_counts({"prompt_tokens": 3, "completion_tokens": 4}) == (3, 4)


@pytest.mark.parametrize("usage", [None, {"prompt_tokens": "3"}, {"prompt_tokens": -1}, {"prompt_tokens": True}])
def test_token_counts_refuses_what_is_not_usage(usage: object) -> None:
    with pytest.raises(TypeError, match="Expected usage with integer `prompt_tokens`"):
        token_counts(usage)
