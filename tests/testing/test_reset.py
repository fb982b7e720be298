"""`LocalGateway.reset()` turns a used gateway into a new one: the plugin's `local_gateway` serves every
test without options from one server and relies on it.

The proof: a fixed series of requests and readings (`_observe`) sees the same thing on a reset
gateway as on a new gateway with the same options, and something else on the used one before its
reset. Each line of `_use` leaves a trace that one of the readings shows.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from omnigate_openai.testing import LocalGateway

from ._clients import http_client

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=timezone.utc)
"""A fixed clock: the rate-limit window must not turn over between the gateways compared."""
METRICS_WINDOW = {"from": "2026-03-02T12:00:00Z", "to": "2026-03-02T13:00:00Z"}

OPTIONS: dict[str, Any] = {"rate_limit_per_min": 6, "cache_enabled": True, "model": ["scripted first"]}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "temperature": 0}
CLAUDE = {**CHAT, "model": "claude-3-5-haiku-latest"}
_IDS = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|llmg_[A-Za-z0-9_-]{7,}")


def _gateway() -> LocalGateway:
    return LocalGateway(clock=lambda: NOW, **OPTIONS)


def _use(gateway: LocalGateway) -> None:
    """Leave a trace in everything a test can observe."""
    admin = {"x-admin-key": gateway.admin_key}
    with http_client(base_url=gateway.root_url, headers={"x-api-key": gateway.api_key}, timeout=5) as http:
        assert http.post("/v1/chat", json=CHAT).status_code == 200  # script, cache, usage, rate window, calls
        assert http.post("/v1/keys/api", json={"name": "extra"}).status_code == 201  # a named key
        assert http.post("/v1/keys", json={"provider": "anthropic", "api_key": "sk-bad-key"}).status_code == 204
        assert http.post("/v1/admin/orgs", json={"name": "another"}, headers=admin).status_code == 201
    gateway.new_project()
    gateway.faults.provider_error(500, times=3, model="gpt-4o")  # scheduled, never hit
    gateway.faults.open_circuit("gemini")
    gateway.model.script("left over", "and another")


def _observe(gateway: LocalGateway) -> dict[str, Any]:
    """What a test could see, with the ids and keys that differ between any two gateways blanked out."""
    admin = {"x-admin-key": gateway.admin_key}
    seen: dict[str, Any] = {"pending faults": gateway.faults.pending, "scripted replies": gateway.model.pending}
    with http_client(base_url=gateway.root_url, headers={"x-api-key": gateway.api_key}, timeout=5) as http:
        answers = [http.post("/v1/chat", json=CHAT) for _ in range(2)]
        seen["answers"] = [(a.status_code, a.json()["content"], a.json()["cached"]) for a in answers]
        seen["gpt-4o (fault?)"] = http.post("/v1/chat", json={**CHAT, "model": "gpt-4o"}).status_code
        seen["gemini (breaker?)"] = http.post("/v1/chat", json={**CHAT, "model": "gemini-1.5-flash"}).status_code
        seen["claude (provider key?)"] = http.post("/v1/chat", json=CLAUDE).status_code
        seen["over the rate limit?"] = http.post("/v1/chat", json={**CHAT, "temperature": 1}).status_code
        seen["me"] = http.get("/v1/me").json()
        seen["named keys"] = http.get("/v1/keys/api").json()
        seen["orgs"] = http.get("/v1/admin/orgs", headers=admin).json()
        seen["projects"] = http.get("/v1/admin/projects", headers=admin).json()
        seen["metrics"] = _timeless(http.get("/v1/metrics", params=METRICS_WINDOW).json())
        seen["prometheus"] = _LATENCY_LINE.sub(r"\1 <ms>", http.get("/metrics").text)
    seen["usage"] = [(r.model, r.status, r.cost, r.prompt_tokens, r.completion_tokens) for r in gateway.state.usage]
    seen["calls"] = [(call.method, call.path, call.status) for call in gateway.calls]
    seen["model requests"] = [(request.model, request.last_user) for request in gateway.model.requests]
    return _blanked(seen)


_LATENCY_LINE = re.compile(r"^(llmgw_request_latency_ms_(?:bucket|sum)\S*) \d+$", re.MULTILINE)
"""A histogram line: its value depends on how long the call took (a loaded machine crosses a bucket)."""


def _timeless(value: Any) -> Any:
    """Metrics with their latency figures blanked: wall time, the one thing two gateways can't share."""
    if isinstance(value, dict):
        return {key: "<ms>" if "latency" in key else _timeless(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_timeless(item) for item in value]
    return value


def _blanked(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _blanked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_blanked(item) for item in value]
    return _IDS.sub("<id>", value) if isinstance(value, str) else value


def test_a_reset_gateway_is_indistinguishable_from_a_new_one() -> None:
    with _gateway() as new:
        expected = _observe(new)
        new.faults.reset()  # `_observe` reads only; what it scheduled nothing
    with _gateway() as used, _gateway() as reset:
        _use(used)
        _use(reset)
        reset.reset()
        before_reset = _observe(used)
        after_reset = _observe(reset)
        used.faults.reset()  # its pending fault is what this test looks at, not a mistake
    assert after_reset == expected
    same = sorted(key for key in expected if before_reset[key] == expected[key])
    assert same == ["me"]  # every other reading would catch a reset that forgot its part


def test_reset_replaces_the_keys_and_keeps_the_port() -> None:
    with _gateway() as gateway:
        old_key, old_admin_key, old_url = gateway.api_key, gateway.admin_key, gateway.base_url
        gateway.reset()
        assert (gateway.base_url, gateway.is_running) == (old_url, True)
        assert gateway.api_key != old_key
        assert gateway.admin_key != old_admin_key
        with http_client(base_url=gateway.root_url, timeout=5) as http:
            assert http.get("/v1/me", headers={"x-api-key": old_key}).status_code == 401
            assert http.get("/v1/admin/orgs", headers={"x-admin-key": old_admin_key}).status_code == 401
            assert http.get("/v1/admin/orgs", headers={"x-admin-key": gateway.admin_key}).status_code == 200


def test_a_given_admin_key_survives_a_reset() -> None:
    with LocalGateway(admin_key="adm_given") as gateway:
        gateway.reset()
        assert gateway.admin_key == "adm_given"
