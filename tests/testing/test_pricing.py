"""The price table, model resolution, routing and cost quantisation agree with the recorded server."""

from __future__ import annotations

import json

import pytest

from omnigate_openai.omnigate._pricing import PRICES, cost_usd, provider_for_model, resolve_priced_model

from ._replay import CASSETTES, Cassette


def test_the_table_is_the_recorded_model_list() -> None:
    recorded = json.loads(Cassette.load(CASSETTES / "models_list.yaml").interactions[1]["response"]["body"]["string"])
    listed = {
        card["id"]: (card["pricing"]["input_per_1k_usd"], card["pricing"]["output_per_1k_usd"])
        for card in recorded["data"]
    }
    assert listed == PRICES
    assert len(PRICES) == 28


@pytest.mark.parametrize(
    ("name", "priced"),
    [
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("gemini-1.5-flash-002", "gemini-1.5-flash"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20241022"),
        ("azure/gpt-4o", "gpt-4o"),
        ("gpt-4-0613", None),  # a 4-digit suffix never resolves: billed $0
        ("claude-3-5-haiku-20241022", None),  # trims to a name missing from the table
        ("gpt-5", None),
        ("llama-3", None),
    ],
)
def test_resolve_priced_model_follows_the_server(name: str, priced: str | None) -> None:
    assert resolve_priced_model(name) == priced


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("gpt-4o", "openai"),
        ("o1-mini", "openai"),
        ("o3", "openai"),
        ("o4-mini", "openai"),
        ("chatgpt-4o-latest", "openai"),
        ("GPT-4o", "openai"),
        ("claude-3-5-haiku-latest", "anthropic"),
        ("gemini-1.5-flash", "gemini"),
        ("models/gemini-1.5-flash", "gemini"),
        ("azure/my-deployment", "azure"),
        ("azure-gpt", "azure"),
        ("anthropic/claude-3-5-sonnet-latest", None),
        ("openai/gpt-4o", None),
        ("mistral-large", None),
    ],
)
def test_provider_for_model_routes_by_prefix_only(name: str, provider: str | None) -> None:
    assert provider_for_model(name) == provider


@pytest.mark.parametrize(
    ("model", "prompt", "completion", "cost"),
    [  # every cost_usd the recorded server returned
        ("gpt-4o-mini-2024-07-18", 9, 8, 6e-06),
        ("gpt-4-turbo-2024-04-09", 9, 8, 0.00033),
        ("claude-3-5-sonnet-20241022", 9, 8, 0.000147),
        ("gemini-2.0-flash-001", 9, 8, 4e-06),
        ("gpt-4o-2024-08-06", 15, 8, 0.000118),  # 0.0001175 rounds half up
        ("gpt-4-0613", 9, 8, 0.0),
        ("claude-3-5-haiku-20241022", 10, 8, 0.0),
    ],
)
def test_cost_is_quantised_like_the_server(model: str, prompt: int, completion: int, cost: float) -> None:
    assert cost_usd(model, prompt, completion) == cost
