"""`health()`, `live()`, `ready()`, `version()`: no key needed; live, replayed, and not-ready as an answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from omnigate_openai import ConnectionError
from omnigate_openai._sdk import httpx
from omnigate_openai.omnigate.resources.health import _not_ready
from omnigate_openai.types import Health, Liveness, Readiness, Version

from ._support import driver, recorded_json

# --- live --------------------------------------------------------------------------------------------------------


def test_probes_need_no_key(mode: str, local_gateway: Any) -> None:
    with driver(mode, base_url=local_gateway.base_url, _enforce_credentials=False) as anonymous:
        assert anonymous(lambda g: g.health()) == Health(status="ok", version="0.2.0")
        assert anonymous(lambda g: g.live()) == Liveness(status="alive")
        ready = anonymous(lambda g: g.ready())
        assert ready.ready
        assert ready.checks == {"database": "ok", "redis": "ok"}
        assert anonymous(lambda g: g.version()) == Version(name="omnigate", version="0.2.0")
    assert [call.path for call in local_gateway.calls] == ["/health", "/health/live", "/health/ready", "/version"]


def test_probes_answer_with_a_bad_key_too(mode: str, local_gateway: Any) -> None:
    with driver(mode, base_url=local_gateway.base_url, api_key="llmg_wrong") as bad:
        assert bad(lambda g: g.health()).status == "ok"


def test_raw_health_has_the_date_header(live: Any) -> None:
    raw = live(lambda g: g.with_raw_response.health())
    assert raw.headers["date"]
    assert raw.parse().version == "0.2.0"


def test_unreachable_gateway_is_connection_error(mode: str) -> None:
    with (
        driver(mode, base_url="http://127.0.0.1:9/v1", api_key="llmg_x", timeout=2) as nowhere,
        pytest.raises(ConnectionError),
    ):
        nowhere(lambda g: g.health())


def _response(status: int, body: object) -> Any:
    request = httpx.Request("GET", "http://gw.test/health/ready")
    return httpx.Response(status, content=json.dumps(body).encode(), request=request)


def test_not_ready_is_an_answer_not_an_error() -> None:
    import openai

    body = {"status": "not_ready", "checks": {"database": "ok", "redis": "error: timeout"}}
    error = openai.InternalServerError("Error code: 503", response=_response(503, body), body=body)
    readiness = _not_ready(error)
    assert readiness == Readiness(status="not_ready", checks=body["checks"])
    assert not readiness.ready


def test_other_errors_stay_errors() -> None:
    import openai

    error = openai.InternalServerError("Error code: 500", response=_response(500, {"detail": "x"}), body=None)
    with pytest.raises(openai.InternalServerError):
        _not_ready(error)


# --- replayed from OmniGate 0.2.0 ----------------------------------------------------------------------------------

PROBES = [
    ("meta_health", "health"),
    ("meta_health_live", "live"),
    ("meta_health_ready", "ready"),
    ("meta_version", "version"),
]


@pytest.mark.parametrize(("cassette", "method"), PROBES)
def test_replay_probe(replay: Any, cassette: str, method: str) -> None:
    with replay(cassette) as (gw, played):
        answer = gw(lambda g: getattr(g, method)())
    assert played.all_played
    assert answer.model_dump() == recorded_json(cassette, 0)
