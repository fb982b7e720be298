"""A `client.gateway` answer of the wrong JSON kind (`null`, `[]` for an object, `{"data": null}` for a list) is
an `InvalidResponseError` saying what came, not the raw JSON handed back as if it were the typed answer, nor an
`AttributeError` later; so is a model card (or a list holding one) whose price is not a finite amount >= 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import PRICED_AT, hostile_server
from omnigate_openai import meta

from ._support import driver

QUIET = og.LoopDetection(same_answer=None, ping_pong=None)

KEY = fake_key("llmg_", "gateway-odd-answers-0123456789")
ADMIN_KEY = fake_key("adm_", "gateway-odd-answers-0123456789")
ORG = "12345678-1234-5678-1234-567812345678"
MESSAGES: Any = [{"role": "user", "content": "hi"}]
TOO_LARGE = (
    "1000000000000000000000000000000 prompt and 1 completion tokens at gpt-4o-mini's price cannot be billed: "
    "past 28 digits, or the price is no number"
)

OBJECT_CALLS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "me": (lambda g: g.me(), "an object (a Me was expected)"),
    "metrics": (lambda g: g.metrics(), "an object (a MetricsResponse was expected)"),
    "health": (lambda g: g.health(), "an object (a Health was expected)"),
    "ready": (lambda g: g.ready(), "an object (a Readiness was expected)"),
    "version": (lambda g: g.version(), "an object (a Version was expected)"),
    "model": (lambda g: g.model("gpt-4o"), "an object (a ModelInfo was expected)"),
    "route": (lambda g: g.route("gpt-4o"), "an object (a Me was expected)"),
    "api_keys.create": (lambda g: g.api_keys.create("ci"), "an object (a CreatedApiKey was expected)"),
    "orgs.metrics": (lambda g: g.admin.orgs.metrics(ORG), "an object (a MetricsResponse was expected)"),
    "models": (lambda g: g.models(), "an object with a list of objects in `data`"),
    "price": (
        lambda g: g.price("gpt-4o", {"prompt_tokens": 1, "completion_tokens": 1}),
        "an object with a list of objects in `data`",
    ),
}
LIST_CALLS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "api_keys.list": (lambda g: g.api_keys.list(), "a list of objects (a list of ApiKey was expected)"),
    "orgs.list": (lambda g: g.admin.orgs.list(), "a list of objects (a list of Org was expected)"),
    "projects.list": (lambda g: g.admin.projects.list(), "a list of objects (a list of Project was expected)"),
    "models": (lambda g: g.models(), "an object with a list of objects in `data`"),
}
CASES = [
    *[("json_array_200", "[]", name, *call) for name, call in OBJECT_CALLS.items()],
    *[("json_null_200", "null", name, *call) for name, call in {**OBJECT_CALLS, **LIST_CALLS}.items()],
    *[("data_null_200", '{"object": "list", "data": null}', name, *call) for name, call in LIST_CALLS.items()],
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("answer", "shown", "call", "expected"),
    [(a, s, c, e) for a, s, _, c, e in CASES],
    ids=[f"{case[0]}-{case[2]}" for case in CASES],
)
def test_json_of_the_wrong_kind_is_a_typed_error(
    answer: str, shown: str, call: Callable[[Any], Any], expected: str, mode: str
) -> None:
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/{answer}/v1", api_key=KEY, admin_key=ADMIN_KEY) as gateway,
        pytest.raises(og.InvalidResponseError) as caught,
    ):
        gateway(call)
    assert isinstance(caught.value, openai.APIResponseValidationError)
    assert str(caught.value) == f"The gateway answered HTTP 200 with JSON that is not {expected}: {shown!r}"
    assert KEY not in repr(caught.value)
    assert ADMIN_KEY not in repr(caught.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_empty_list_is_an_answer(mode: str) -> None:
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/json_array_200/v1", api_key=KEY, admin_key=ADMIN_KEY) as gateway,
    ):
        assert gateway(lambda g: g.api_keys.list()) == []
        assert gateway(lambda g: g.admin.orgs.list()) == []


NO_AMOUNT = {  # the model, and what the gateway's list is refused for
    "gpt-4o-mini": "model 'gpt-4o-mini' has `pricing.input_per_1k_usd` = nan, not a finite amount >= 0",
    "gpt-4o": "model 'gpt-4o' has `pricing.input_per_1k_usd` = inf, not a finite amount >= 0",
    "o1": "model 'o1' has `pricing.input_per_1k_usd` = -0.001, not a finite amount >= 0",
}
REFUSED = "The gateway answered HTTP 200 with a price that is no amount: "


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_price_that_is_no_number_refuses_the_listing_naming_the_model_and_field(mode: str) -> None:
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/unpriced_card_200/v1", api_key=KEY) as gateway,
    ):
        for call in (lambda g: g.models(), lambda g: g.price("m", {"prompt_tokens": 1000, "completion_tokens": 1000})):
            with pytest.raises(og.InvalidResponseError) as caught:
                gateway(call)
            assert isinstance(caught.value, openai.APIResponseValidationError)
            assert str(caught.value) == (
                REFUSED + "model 'm' has `pricing.input_per_1k_usd` = None, not a finite amount >= 0"
            )


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_price_of_nan_infinity_or_below_zero_is_never_shown_nor_billed(mode: str) -> None:
    """NaN, `1e999` and -0.001 were shown on the model cards as prices, and a negative one priced calls below $0."""
    assert set(PRICED_AT) == {*NO_AMOUNT, "gpt-4.1"}
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/odd_prices_200/v1", api_key=KEY) as gateway,
    ):
        with pytest.raises(og.InvalidResponseError) as listed:
            gateway(lambda g: g.models())
        assert str(listed.value) == REFUSED + NO_AMOUNT["gpt-4o-mini"]  # the first card it cannot bill by
        assert gateway(lambda g: g.model("gpt-4.1")).pricing.input_per_1k_usd == 0.002
        for model, why in NO_AMOUNT.items():
            with pytest.raises(og.InvalidResponseError) as card:
                gateway(lambda g, model=model: g.model(model))
            assert str(card.value) == REFUSED + why
            completion = gateway(
                lambda g, model=model: g._client.chat.completions.create(model=model, messages=MESSAGES)
            )
            assert completion.choices[0].message.content == "hi"
            found = meta(completion)
            assert (found.cost_usd, found.cost_note) == (None, "the gateway's prices could not be fetched")
            with pytest.raises(og.InvalidResponseError) as priced:
                gateway(lambda g, model=model: g.price(model, {"prompt_tokens": 1000, "completion_tokens": 1000}))
            assert str(priced.value) == REFUSED + NO_AMOUNT["gpt-4o-mini"]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("model", list(NO_AMOUNT))
def test_a_budget_refuses_a_model_priced_at_no_amount_or_reserves_it_at_the_stated_price(mode: str, model: str) -> None:
    """The guard reserved at such a price: NaN and infinity failed the call untyped, a negative one freed budget."""
    refusing = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET)
    stated = og.Guard(limits=og.Limits(max_usd=1.0), loops=QUIET, unpriced_model=(0.01, 0.03))
    ask = {"model": model, "messages": MESSAGES, "max_tokens": 10}
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/odd_prices_200/v1", api_key=KEY) as gateway,
    ):
        with pytest.raises(og.UnpricedModelError) as caught:
            gateway(lambda g: g._client.with_guard(refusing).chat.completions.create(**ask))
        assert caught.value.model == model
        assert str(caught.value).startswith("The gateway's prices could not be fetched")
        assert [seen.path for seen in server.requests] == ["/odd_prices_200/v1/models"]  # the call was never sent
        answered = gateway(lambda g: g._client.with_guard(stated).chat.completions.create(**ask))
    assert answered.choices[0].message.content == "hi"
    assert stated.metrics().calls == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_usage_past_what_can_be_billed_leaves_the_answer_and_says_why_it_has_no_cost(mode: str) -> None:
    """The client prices each answer itself; a count no bill has digits for must not cost the caller the answer."""
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/huge_usage_200/v1", api_key=KEY) as gateway,
    ):
        completion = gateway(lambda g: g._client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES))
        with pytest.raises(TypeError) as caught:
            gateway(lambda g: g.price("gpt-4o-mini", {"prompt_tokens": 10**30, "completion_tokens": 1}))
    assert completion.choices[0].message.content == "hi"
    found = meta(completion)
    assert found.cost_usd is None
    assert found.cost_note == TOO_LARGE
    assert str(caught.value) == f"Cannot price 'gpt-4o-mini': {TOO_LARGE}"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.route(""), "Expected a non-empty model name, got ''"),
        (lambda g: g.price(None, {"prompt_tokens": 1}), "Expected `model` to be a non-empty model name, got None"),
        (lambda g: g.price(" ", {"prompt_tokens": 1}), "Expected `model` to be a non-empty model name, got ' '"),
    ],
    ids=["route-empty", "price-none", "price-blank"],
)
def test_a_bad_model_name_is_refused_before_sending(call: Callable[[Any], Any], message: str, mode: str) -> None:
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/ok/v1", api_key=KEY) as gateway,
        pytest.raises(ValueError, match="non-empty model name") as caught,
    ):
        gateway(call)
    assert str(caught.value) == message
    assert server.requests == []
