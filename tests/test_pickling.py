"""Every error crosses a process boundary as itself, and carries no key across it."""

from __future__ import annotations

import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

import openai
import pytest

import omnigate_openai as og
from _fakes import fake_key
from omnigate_openai.testing import LocalGateway

BYOK = fake_key("sk-", "pickle-canary-0123456789abcdefghij")


def _raise(error: BaseException) -> None:
    raise error


def _errors(gw: LocalGateway) -> list[BaseException]:
    found: list[BaseException] = []
    gw.faults.provider_error(500, times=1)
    with og.OpenAI(base_url=gw.base_url, api_key=gw.api_key, admin_key=gw.admin_key, max_retries=0) as client:
        for act in (
            lambda: client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}]),
            lambda: client.models.retrieve("gpt-5"),
            lambda: client.chat.completions.create(model="gpt-4o-mini", messages=[], tools=[{"type": "function"}]),
            lambda: client.gateway.provider_keys.set("openai", BYOK, extra_body={"provider": 1}),
        ):
            try:
                act()  # type: ignore[no-untyped-call]
            except og.GatewayError as exc:
                found.append(exc)
    bad = og.OpenAI(base_url=gw.base_url, api_key=fake_key("llmg_", "pickle-bad-0123456789"), max_retries=0)
    with bad:
        for act in (bad.models.list,):
            try:
                act()
            except og.GatewayError as exc:
                found.append(exc)
    try:
        og.OpenAI(base_url="http://127.0.0.1:9", api_key="llmg_x", timeout=0.2, max_retries=0).models.list()
    except og.GatewayError as exc:
        found.append(exc)
    try:
        og.OpenAI(base_url="http://127.0.0.1:99999", api_key="llmg_x")
    except og.GatewayError as exc:
        found.append(exc)
    return found


def test_errors_round_trip_through_a_process_pool(local_gateway: LocalGateway) -> None:
    errors = _errors(local_gateway)
    kinds = {type(e).__name__ for e in errors}
    assert {"ProviderError", "ModelNotFoundError", "UnsupportedFeatureError", "AuthError", "ConnectionError"} <= kinds
    with ProcessPoolExecutor(max_workers=1) as pool:
        for error in errors:
            with pytest.raises(type(error)) as caught:
                pool.submit(_raise, error).result(timeout=60)
            assert str(caught.value) == str(error)
            assert isinstance(caught.value, og.GatewayError)
            if isinstance(error, openai.APIStatusError):
                assert caught.value.status_code == error.status_code  # type: ignore[attr-defined]
                assert caught.value.response.status_code == error.status_code  # type: ignore[attr-defined]
            for attribute in ("provider", "upstream_status", "model", "field", "detail"):
                assert getattr(caught.value, attribute, None) == getattr(error, attribute, None)


def test_a_pickled_error_carries_no_key(local_gateway: LocalGateway) -> None:
    for error in _errors(local_gateway):
        pickled = pickle.dumps(error)
        for secret in (local_gateway.api_key, local_gateway.admin_key, BYOK):
            assert secret.encode() not in pickled, type(error).__name__


def test_values_of_the_names_that_load_on_first_use_unpickle_in_a_fresh_interpreter(
    local_gateway: LocalGateway,
) -> None:
    """`ModelRoute` and `StoredResponse` are pickled under their public names (`omnigate_openai.X`), which
    the package root loads on first use: a process that has imported nothing rebuilds them."""
    store = og.MemoryResponseStore()
    gw = local_gateway
    with og.OpenAI(base_url=gw.base_url, api_key=gw.api_key, response_store=store, max_retries=0) as client:
        route = client.gateway.route("anthropic/claude-3-5-haiku-latest")
        response = client.responses.create(model="gpt-4o-mini", input="Hi")
    stored = store.get(response.id)
    assert stored is not None
    probe = (
        "import pickle, sys; route, stored = pickle.loads(sys.stdin.buffer.read()); "
        "print(type(route).__module__, type(route).__qualname__, route.gateway_model, route.ready); "
        "print(type(stored).__qualname__, stored.response.id, stored.messages[-1]['role'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], input=pickle.dumps((route, stored)), capture_output=True, timeout=60, check=True
    )
    assert done.stdout.decode().splitlines() == [
        f"omnigate_openai ModelRoute claude-3-5-haiku-latest {route.ready}",
        f"StoredResponse {response.id} assistant",
    ]
