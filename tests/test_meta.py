"""GatewayMeta from headers, and how it rides on results without changing them."""

from __future__ import annotations

import gc
import weakref
from decimal import Decimal

import pytest
from openai.types.chat import ChatCompletion

import omnigate_openai as og
from omnigate_openai._meta import attach_meta
from omnigate_openai.omnigate._metadata import meta_from_headers

HEADERS = {
    "x-request-id": "7c9bf0dbbe664213a8d5290cd1e35f69",
    "x-ratelimit-limit": "60",
    "x-ratelimit-remaining": "59",
    "x-ratelimit-reset": "6",
    "x-budget-project-daily-spend": "0.000006",
    "x-budget-project-daily-limit": "1.5000",
    "x-budget-org-daily-spend": "0.000000",
    "x-budget-org-daily-limit": "0.0000",
    "x-llmgw-provider": "anthropic",
    "x-llmgw-model": "claude-3-5-haiku-20241022",
    "x-llmgw-cached": "true",
    "x-llmgw-fallback": "false",
}


def test_headers_become_typed_fields() -> None:
    found = meta_from_headers(HEADERS)
    assert found.request_id == "7c9bf0dbbe664213a8d5290cd1e35f69"
    assert found.rate_limit == og.RateLimitStatus(limit=60, remaining=59, reset=6)
    assert og.BudgetStatus("project", "daily", Decimal("0.000006"), Decimal("1.5")) in found.budgets
    assert {(b.scope, b.period) for b in found.budgets} == {("project", "daily"), ("org", "daily")}
    assert (found.provider, found.model, found.cached, found.fallback_used) == (
        "anthropic",
        "claude-3-5-haiku-20241022",
        True,
        False,
    )


def test_missing_or_malformed_headers_give_none() -> None:
    found = meta_from_headers({"x-ratelimit-limit": "sixty", "x-budget-org-daily-spend": "1"})
    assert found.rate_limit is None
    assert found.budgets == ()
    assert found.request_id is None


def _completion() -> ChatCompletion:
    return ChatCompletion.model_validate(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}],
        }
    )


def test_metadata_does_not_change_what_the_result_shows() -> None:
    completion = _completion()
    dumped, as_json, shown = completion.model_dump(), completion.to_json(), repr(completion)
    attach_meta(completion, meta_from_headers(HEADERS))
    assert completion.model_dump() == dumped
    assert completion.to_json() == as_json
    assert repr(completion) == shown
    assert og.meta(completion).request_id == HEADERS["x-request-id"]
    assert og.meta(completion.model_copy()).request_id == HEADERS["x-request-id"]


def test_meta_of_a_foreign_object_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="ChatCompletion carries no gateway metadata"):
        og.meta(_completion())


def test_metadata_goes_when_the_result_goes() -> None:
    completion = _completion()
    attach_meta(completion, meta_from_headers(HEADERS))
    tracked = weakref.ref(og.meta(completion))
    assert tracked() is not None
    del completion
    gc.collect()
    assert tracked() is None
