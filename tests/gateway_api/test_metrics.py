"""`metrics()`: live, replayed, and its argument rules against the messages the real gateway sent."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import openai
import pytest

from omnigate_openai import APIError
from omnigate_openai.omnigate.resources.metrics import metrics_query
from omnigate_openai.types import MetricsResponse

from ._support import Driver, recorded, recorded_json

HELLO = [{"role": "user", "content": "Say hello."}]


def _chat(live: Driver, model: str, **options: Any) -> None:
    live(lambda _: live.client.chat.completions.create(model=model, messages=HELLO, **options))


# --- live --------------------------------------------------------------------------------------------------------


def test_metrics_default_window_is_24h_by_hour(live: Driver) -> None:
    _chat(live, "gpt-4o-mini")
    result = live(lambda g: g.metrics())
    assert isinstance(result, MetricsResponse)
    assert (result.scope, result.granularity, result.group_by) == ("project", "hour", None)
    assert result.range_to - result.range_from == timedelta(hours=24)
    assert result.totals.requests == 1
    assert result.totals.cost_usd == 6e-06
    assert result.totals.p50_latency_ms is not None
    assert result.breakdown == []
    assert [point.requests for point in result.timeseries] == [1]


def test_metrics_group_by_user_and_model(live: Driver) -> None:
    _chat(live, "gpt-4o-mini", extra_headers={"x-user-id": "alice"})
    _chat(live, "claude-3-5-haiku-latest")
    by_user = live(lambda g: g.metrics(range="1h", group_by="user"))
    assert by_user.granularity == "minute"
    assert sorted(row.key for row in by_user.breakdown) == ["alice", "unknown"]
    by_model = live(lambda g: g.metrics(range="7d", group_by="model", granularity="day"))
    assert by_model.granularity == "day"
    assert {row.key for row in by_model.breakdown} == {"gpt-4o-mini-2024-07-18", "claude-3-5-haiku-20241022"}


def test_metrics_from_to_window_is_echoed(live: Driver) -> None:
    end = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(hours=2)
    result = live(lambda g: g.metrics(from_=start, to=end.isoformat().replace("+00:00", "Z")))
    assert (result.range_from, result.range_to) == (start, end)


def test_metrics_empty_project_has_null_percentiles(mode: str, local_gateway: Any) -> None:
    from ._support import driver

    project = local_gateway.new_project()
    with driver(mode, base_url=local_gateway.base_url, api_key=project.api_key) as fresh:
        result = fresh(lambda g: g.metrics(range="1h"))
    assert result.totals.requests == 0
    assert result.totals.p99_latency_ms is None
    assert result.timeseries == []


RULES = [  # arguments, the gateway's 422 message (checked before sending, so nothing is sent)
    ({"range": "2d"}, "invalid range '2d'; expected one of 1h, 24h, 7d, 30d"),
    ({"range": "1h", "from_": "2026-01-01T00:00:00Z"}, "'range' is mutually exclusive with 'from'/'to'"),
    ({"to": "2026-01-01T00:00:00Z"}, "'from' is required when 'to' is supplied"),
    ({"from_": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "'to' must be after 'from'"),
    ({"from_": datetime(2026, 1, 1)}, "'from' must be timezone-aware"),
    ({"from_": "2026-01-01T00:00:00"}, "'from' must be timezone-aware"),
    ({"from_": "yesterday"}, "Invalid isoformat string: 'yesterday'"),
    ({"group_by": "day"}, "invalid group_by; expected one of provider, model, user, status"),
    ({"granularity": "week"}, "invalid granularity; expected one of minute, hour, day"),
]


@pytest.mark.parametrize(("arguments", "message"), RULES, ids=[m for _, m in RULES])
def test_bad_metrics_arguments_are_refused_before_sending(
    live: Driver, local_gateway: Any, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        live(lambda g: g.metrics(**arguments))
    assert str(caught.value) == message
    assert local_gateway.calls.to("/v1/metrics") == []


def test_naive_to_names_what_was_given(live: Driver) -> None:
    with pytest.raises(ValueError, match=r"'to' must be timezone-aware, got datetime.datetime\(2026, 1, 2, 0, 0\)"):
        live(lambda g: g.metrics(from_="2026-01-01T00:00:00Z", to=datetime(2026, 1, 2)))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"range": "2d"}, "invalid range '2d'; expected one of 1h, 24h, 7d, 30d"),
        ({"group_by": "day"}, "invalid group_by; expected one of provider, model, user, status"),
    ],
)
def test_the_gateway_itself_refuses_with_the_same_message(live: Driver, query: dict[str, str], message: str) -> None:
    """Bypassing the client-side check shows the gateway's own answer: the same words, as a typed 422."""
    with pytest.raises(APIError, match=message) as caught:
        live(lambda _: live.client.get("/metrics", cast_to=MetricsResponse, options={"params": query}))
    assert isinstance(caught.value, openai.UnprocessableEntityError)


def test_bad_key_on_metrics_is_auth_error(mode: str, local_gateway: Any) -> None:
    from omnigate_openai import AuthError

    from ._support import driver

    with (
        driver(mode, base_url=local_gateway.base_url, api_key="llmg_wrong") as bad,
        pytest.raises(AuthError, match="Invalid API key"),
    ):
        bad(lambda g: g.metrics())


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------

WINDOWS = [  # cassette, arguments that produce the recorded query string
    ("metrics_default", {}),
    ("metrics_empty_project", {"range": "1h"}),
    ("metrics_from_to", {"from_": "2026-11-23T05:16:26Z", "to": "2026-11-23T07:21:26Z"}),
    ("metrics_granularity_minute", {"granularity": "minute"}),
    ("metrics_group_by_model", {"group_by": "model", "range": "1h"}),
    ("metrics_group_by_user", {"group_by": "user"}),
    ("metrics_range_7d", {"range": "7d"}),
]


@pytest.mark.parametrize(("cassette", "arguments"), WINDOWS, ids=[c for c, _ in WINDOWS])
def test_replay_metrics(replay: Any, cassette: str, arguments: dict[str, Any]) -> None:
    with replay(cassette) as (gw, played):
        result = gw(lambda g: g.metrics(**arguments))
    assert played.play_count == 1
    assert result.model_dump(mode="json") == recorded_json(cassette, -1)
    assert isinstance(result.range_from, datetime)


REFUSED = [  # cassette whose last answer is the gateway's 422 for these arguments
    ("metrics_bad_granularity_422", {"granularity": "week"}),
    ("metrics_bad_range_422", {"range": "2d"}),
    ("metrics_group_by_day_422", {"group_by": "day"}),
    ("metrics_range_plus_from_422", {"range": "1h", "from_": "2026-01-01T00:00:00Z"}),
    ("metrics_to_before_from_422", {"from_": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}),
    ("metrics_to_without_from_422", {"to": "2026-01-01T00:00:00Z"}),
]


@pytest.mark.parametrize(("cassette", "arguments"), REFUSED, ids=[c for c, _ in REFUSED])
def test_replay_refusals_use_the_recorded_message(replay: Any, cassette: str, arguments: dict[str, Any]) -> None:
    recorded_detail = recorded_json(cassette, -1)["detail"]
    with replay(cassette) as (gw, played), pytest.raises(ValueError, match=re.escape(recorded_detail)) as caught:
        gw(lambda g: g.metrics(**arguments))
    assert str(caught.value) == recorded_detail
    assert played.play_count == 0  # refused before sending


@pytest.mark.parametrize(("cassette", "arguments"), REFUSED, ids=[c for c, _ in REFUSED])
def test_recorded_query_strings_are_what_we_would_send(cassette: str, arguments: dict[str, Any]) -> None:
    """The refused calls' recorded URLs carry exactly these arguments, spelled as the client spells them."""
    sent = recorded(cassette)[-1]["request"]["uri"]
    assert sent.startswith("http://127.0.0.1:58000/v1/metrics?")
    renamed = {("from" if k == "from_" else k): v for k, v in arguments.items()}
    assert all(f"{k}=" in sent for k in renamed)


def test_query_spells_times_in_utc_with_z() -> None:
    start = datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    query = metrics_query(range=None, from_=start, to=None, group_by=None, granularity=None)
    assert query == {"from": "2026-01-01T00:00:00Z"}
