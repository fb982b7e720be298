"""The replay suite's network guard: it is on in every replay test, and it stops a real connection attempt."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

import omnigate_openai as og

from ._network import NetworkBlocked, NetworkGuard


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    """A loopback socket that accepts, so an unguarded connect would succeed: only the guard can stop it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()


def test_the_guard_refuses_a_blocking_connect(listener: tuple[str, int]) -> None:
    with NetworkGuard() as guard:
        with pytest.raises(NetworkBlocked, match=r"a connection to \('127\.0\.0\.1', \d+\) was attempted"):
            socket.create_connection(listener, timeout=2)
        with socket.socket() as sock, pytest.raises(NetworkBlocked):
            sock.connect(listener)
    assert guard.attempts == [listener, listener]


async def test_the_guard_refuses_an_asyncio_connect(listener: tuple[str, int]) -> None:
    with NetworkGuard() as guard, pytest.raises(NetworkBlocked):
        await asyncio.wait_for(asyncio.open_connection(*listener), timeout=2)
    assert guard.attempts == [listener]


def test_the_guard_stops_a_client_call_and_keeps_the_attempt(listener: tuple[str, int]) -> None:
    base_url = f"http://{listener[0]}:{listener[1]}/v1"
    # openai 2.x wraps the guard's error in APIConnectionError (so the shim's ConnectionError); 3.x lets it through
    with (
        NetworkGuard() as guard,
        og.OpenAI(base_url=base_url, api_key="llmg_test", max_retries=0, timeout=2) as client,
        pytest.raises((og.ConnectionError, NetworkBlocked)),
    ):
        client.models.list()
    assert guard.attempts == [listener]


def test_the_guard_is_on_in_every_replay_test(no_network: NetworkGuard, listener: tuple[str, int]) -> None:
    if no_network.allow_loopback:  # `--record-mode=...`: recording may reach the local gateway, nothing else
        with pytest.raises(NetworkBlocked):
            no_network.check(("192.0.2.1", 443))
        assert no_network.attempts == [("192.0.2.1", 443)]
    else:
        with pytest.raises(NetworkBlocked):
            socket.create_connection(listener, timeout=2)
        assert no_network.attempts == [listener]
    no_network.attempts.clear()  # this attempt was the point of the test; any other fails it on teardown


@pytest.mark.parametrize("address", [("127.0.0.1", 8080), ("::1", 8080, 0, 0), ("localhost", 8080)])
def test_a_recording_may_reach_loopback(address: tuple[object, ...]) -> None:
    guard = NetworkGuard(allow_loopback=True)
    guard.check(address)
    assert guard.attempts == []


@pytest.mark.parametrize("address", [("192.0.2.1", 443), ("example.com", 443), "/run/some.sock"])
def test_a_recording_may_not_reach_anything_else(address: object) -> None:
    guard = NetworkGuard(allow_loopback=True)
    with pytest.raises(NetworkBlocked):
        guard.check(address)  # decided before any connection exists: no packet is ever sent
    assert guard.attempts == [address]
