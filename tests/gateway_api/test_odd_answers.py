"""A `client.gateway` answer of the wrong JSON kind (`null`, `[]` for an object, `{"data": null}` for a list) is
an `InvalidResponseError` saying what came, not the raw JSON handed back as if it were the typed answer, nor an
`AttributeError` later; a model card with a price that is not a number leaves the listing usable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from _hostile import hostile_server
from omnigate_openai import meta

from ._support import driver

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


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_price_that_is_no_number_keeps_the_listing_and_leaves_the_model_unpriced(mode: str) -> None:
    with (
        hostile_server() as (server, _),
        driver(mode, base_url=f"{server.url}/unpriced_card_200/v1", api_key=KEY) as gateway,
    ):
        (card,) = gateway(lambda g: g.models())
        assert card.id == "m"
        with pytest.raises(TypeError) as caught:
            gateway(lambda g: g.price("m", {"prompt_tokens": 1000, "completion_tokens": 1000}))
    assert str(caught.value) == "Cannot price 'm': the gateway's prices could not be fetched"


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
