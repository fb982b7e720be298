"""Running the local gateway: fast start, clean stop, no leaked thread or socket, and the three ways in."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from _processes import free_port
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import GatewaySettings, GatewayState, LocalGateway, create_app
from omnigate_openai.testing.pytest_plugin import gateway_options

from ._clients import http_client


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").exists() else 0


def _gateway_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "omnigate-local-gateway"]


def test_starts_fast_and_stops_without_leaks() -> None:
    # Other suites keep a session-wide gateway running; only this gateway's thread must be gone.
    threads_before = set(_gateway_threads())
    fds_before = _open_fds()
    started = time.monotonic()
    with LocalGateway() as gateway:
        startup = time.monotonic() - started
        with http_client(base_url=gateway.root_url, timeout=5) as http:
            assert http.get("/health").json() == {"status": "ok", "version": "0.2.0"}
        port = int(gateway.root_url.rsplit(":", 1)[1])
        stopping = time.monotonic()
    shutdown = time.monotonic() - stopping
    assert startup < 1.0
    assert shutdown < 1.0
    assert set(_gateway_threads()) - threads_before == set()
    assert _open_fds() == fds_before
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_what_a_test_gets(local_gateway: LocalGateway) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", local_gateway.base_url)
    assert local_gateway.base_url == local_gateway.root_url + "/v1"
    assert re.fullmatch(r"llmg_[A-Za-z0-9_-]{43}", local_gateway.api_key)
    with http_client(base_url=local_gateway.root_url, timeout=5) as http:
        me = http.get("/v1/me", headers={"authorization": f"Bearer {local_gateway.api_key}"}).json()
        orgs = http.get("/v1/admin/orgs", headers={"x-admin-key": local_gateway.admin_key})
    assert me["configured_providers"] == ["openai", "anthropic", "gemini", "azure"]
    assert me["project_id"] == str(local_gateway.project.project_id)
    assert (me["rate_limit_per_min"], me["daily_budget"]) == (60, "0.0000")
    assert orgs.status_code == 200
    assert local_gateway.api_key not in repr(local_gateway) + repr(local_gateway.project)


@pytest.mark.local_gateway(rate_limit_per_min=7, daily_budget="2.5", providers=("gemini",))
def test_marker_options_configure_the_fixture(local_gateway: LocalGateway) -> None:
    with http_client(base_url=local_gateway.root_url, headers={"x-api-key": local_gateway.api_key}) as http:
        me = http.get("/v1/me").json()
    assert (me["rate_limit_per_min"], me["daily_budget"], me["configured_providers"]) == (7, "2.5000", ["gemini"])


def test_marker_options_are_checked_by_name() -> None:
    with pytest.raises(pytest.UsageError, match="rate_limit_per_minute"):
        gateway_options(pytest.mark.local_gateway(rate_limit_per_minute=1).mark)


def test_reset_forgets_everything_but_keeps_serving(local_gateway: LocalGateway) -> None:
    old_key, url = local_gateway.api_key, local_gateway.base_url
    with http_client(base_url=local_gateway.root_url, timeout=5) as http:
        http.post(
            "/v1/chat",
            json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
            headers={"x-api-key": old_key},
        )
        local_gateway.reset()
        assert http.get("/v1/me", headers={"x-api-key": old_key}).status_code == 401
        assert http.get("/v1/me", headers={"x-api-key": local_gateway.api_key}).status_code == 200
    assert local_gateway.base_url == url
    assert local_gateway.state.usage == []
    assert [c.path for c in local_gateway.calls] == ["/v1/me", "/v1/me"]


def test_an_unseeded_gateway_has_no_key() -> None:
    with LocalGateway(seed_project=False) as gateway:
        with pytest.raises(RuntimeError, match="seed_project=False"):
            _ = gateway.api_key
        project = gateway.new_project()
        with http_client(base_url=gateway.root_url, headers={"x-api-key": project.api_key}) as http:
            assert http.get("/v1/me").status_code == 200


def test_two_gateways_run_side_by_side() -> None:
    with LocalGateway() as first, LocalGateway() as second:
        assert first.base_url != second.base_url
        with http_client(timeout=5) as http:
            assert http.get(first.root_url + "/v1/me", headers={"x-api-key": second.api_key}).status_code == 401


def test_a_stopped_gateway_has_no_url() -> None:
    gateway = LocalGateway()
    with pytest.raises(RuntimeError, match="not running"):
        _ = gateway.base_url
    gateway.stop()  # idempotent, even before start


def test_run_server_serves_until_interrupted() -> None:
    port = free_port()
    code = f"from omnigate_openai.testing import run_server; run_server(port={port})"
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        deadline = time.monotonic() + 15
        with http_client(timeout=1) as http:
            while True:
                try:
                    answer = http.get(f"http://127.0.0.1:{port}/health")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                    time.sleep(0.05)
        assert answer.json()["status"] == "ok"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/v1" in output
    assert "llmg_" not in output  # keys are secrets, even locally: only with show_keys=True


def test_run_server_announces_the_bound_port_and_keys_on_request() -> None:
    code = (
        "import json; from omnigate_openai.testing import run_server; "
        "run_server(port=0, show_keys=True, announce=lambda facts: print(json.dumps(facts), flush=True))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)  # a bounded wait, never a hang
        assert ready, "run_server announced nothing"
        facts = json.loads(process.stdout.readline())
        assert facts["port"] > 0
        assert re.fullmatch(r"llmg_\S+", facts["api_key"])
        with http_client(timeout=5) as http:
            me = http.get(f"{facts['base_url']}/me", headers={"x-api-key": facts["api_key"]})
        assert me.status_code == 200
    finally:
        process.terminate()
        process.communicate(timeout=10)


async def test_create_app_serves_in_process() -> None:
    state = GatewayState(GatewaySettings(admin_key="adm_in_process"))
    org = state.create_org("in-process")
    project, key = state.create_project(org.id, "p")
    state.set_provider_key(project.id, "openai", "sk-in-process-key")
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway", headers={"x-api-key": key}) as http:
        answer = await http.post(
            "/v1/chat", json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
        )
        orgs = await http.get("/v1/admin/orgs", headers={"x-admin-key": "adm_in_process"})
    assert answer.json()["content"] == "Hello there! How can I help?"
    assert [o["name"] for o in orgs.json()] == ["in-process"]
    assert len(state.usage) == 1
