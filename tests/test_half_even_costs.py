"""Costs are quantised half to even, as OmniGate's `Decimal.quantize` bills them, on both sides.

The client prices compat calls; the local gateway bills them with its own price book. Both are
pinned here to the real server's figures, so a rounding bug cannot hide by being on both sides.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import omnigate_openai as og
from omnigate_openai.omnigate._pricing import price_call, prices_from_models
from omnigate_openai.testing import LocalGateway
from omnigate_openai.testing._price_book import bill

# (model the provider reported, prompt tokens, completion tokens, what the server billed)
SERVER_FIGURES = [
    ("gpt-4o-2024-08-06", 9, 8, "0.000102"),  # 0.0001025: half to even (half up would say 0.000103)
    ("gpt-4o-2024-08-06", 11, 8, "0.000108"),  # 0.0001075 goes up to the even 8
    ("gpt-4o-2024-08-06", 15, 8, "0.000118"),  # 0.0001175 goes up to the even 8
    ("gpt-4o", 1, 0, "0.000002"),  # 0.0000025
    ("gpt-4o", 3, 0, "0.000008"),  # 0.0000075
    ("claude-3-haiku-20240307", 2, 0, "0.000000"),  # 0.0000005 goes down to 0
    ("azure/gpt-4o", 9, 8, "0.000102"),
    ("gpt-4o-mini-2024-07-18", 9, 8, "0.000006"),
    ("gpt-4-turbo-2024-04-09", 9, 8, "0.000330"),
    ("claude-3-5-sonnet-20241022", 9, 8, "0.000147"),
    ("gemini-2.0-flash-001", 9, 8, "0.000004"),
    ("gpt-4-0613", 9, 8, "0.000000"),
    ("claude-3-5-haiku-20241022", 10, 8, "0.000000"),
]
GPT_4O_PRICES = prices_from_models(
    {
        "data": [
            {"id": "gpt-4o", "pricing": {"input_per_1k_usd": 0.0025, "output_per_1k_usd": 0.01}},
            {"id": "gpt-4o-mini", "pricing": {"input_per_1k_usd": 0.00015, "output_per_1k_usd": 0.0006}},
            {"id": "gpt-4-turbo", "pricing": {"input_per_1k_usd": 0.01, "output_per_1k_usd": 0.03}},
            {"id": "gpt-4", "pricing": {"input_per_1k_usd": 0.03, "output_per_1k_usd": 0.06}},
            {"id": "claude-3-haiku", "pricing": {"input_per_1k_usd": 0.00025, "output_per_1k_usd": 0.00125}},
            {"id": "claude-3-5-sonnet-20241022", "pricing": {"input_per_1k_usd": 0.003, "output_per_1k_usd": 0.015}},
            {"id": "gemini-2.0-flash", "pricing": {"input_per_1k_usd": 0.0001, "output_per_1k_usd": 0.0004}},
        ]
    }
)


@pytest.mark.parametrize(("model", "prompt", "completion", "billed"), SERVER_FIGURES)
def test_the_local_gateway_bills_the_servers_figures(model: str, prompt: int, completion: int, billed: str) -> None:
    assert bill(model, prompt, completion) == Decimal(billed)


@pytest.mark.parametrize(("model", "prompt", "completion", "billed"), SERVER_FIGURES)
def test_the_client_prices_the_servers_figures(model: str, prompt: int, completion: int, billed: str) -> None:
    usage = {"prompt_tokens": prompt, "completion_tokens": completion}
    assert price_call(GPT_4O_PRICES, model, usage).usd == float(billed)


def test_a_tie_is_billed_and_reported_alike_end_to_end(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """`Say hello.` is 9 prompt tokens and the reply 8: gpt-4o's 0.0001025 on every path."""
    hello = [{"role": "user", "content": "Say hello."}]
    completion = client.chat.completions.create(model="gpt-4o", messages=hello)
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (9, 8)
    assert og.meta(completion).cost_usd == 0.000102
    assert local_gateway.state.usage[-1].cost == Decimal("0.000102")
    assert client.gateway.price(completion.model, completion.usage) == 0.000102
    native = client.with_routing(cache=False).chat.completions.create(model="gpt-4o", messages=hello)
    assert og.meta(native).cost_usd == 0.000102


def test_the_local_gateway_imports_no_client_facts() -> None:
    """The test double must be independent: only its pytest plugin (which builds clients) imports the client."""
    import ast
    from pathlib import Path

    import omnigate_openai.testing

    root = Path(omnigate_openai.testing.__file__).parent
    borrowed = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "pytest_plugin.py":
            continue
        package = ["omnigate_openai", *path.parent.relative_to(root.parent).parts]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                if module.startswith("omnigate_openai") and not module.startswith("omnigate_openai.testing"):
                    borrowed.append(f"{path.name}: {module}")
            elif isinstance(node, ast.Import):
                borrowed += [
                    f"{path.name}: {alias.name}"
                    for alias in node.names
                    if alias.name.startswith("omnigate_openai") and not alias.name.startswith("omnigate_openai.testing")
                ]
    assert borrowed == []
