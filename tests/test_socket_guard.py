"""The tests' socket guard (`tests/_socket_guard.py`): what it refuses, sync and async, what it lets
through, and that a refused attempt fails the test even when the code under test swallowed it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import pytest

import omnigate_openai as og
from _socket_guard import NetworkBlocked, SocketGuard, guarded

ELSEWHERE = ("192.0.2.1", 443)
"""TEST-NET-1: never routed. The guard refuses before any packet, so nothing is sent even to it."""


@pytest.fixture
def listener() -> Iterator[tuple[str, int]]:
    """A loopback socket that accepts, so an unguarded connect would succeed: only the guard can stop it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()


def test_nothing_allowed_refuses_every_blocking_connect(listener: tuple[str, int]) -> None:
    with SocketGuard() as guard:
        with pytest.raises(NetworkBlocked, match=r"may not reach \('127\.0\.0\.1', \d+\) \(no connection is allowed\)"):
            socket.create_connection(listener, timeout=2)
        with socket.socket() as sock, pytest.raises(NetworkBlocked):
            sock.connect(listener)
        with socket.socket() as sock, pytest.raises(NetworkBlocked):
            sock.connect_ex(listener)
    assert guard.attempts == [listener, listener, listener]


async def test_nothing_allowed_refuses_an_asyncio_connect(listener: tuple[str, int]) -> None:
    with SocketGuard() as guard, pytest.raises(NetworkBlocked):
        await asyncio.wait_for(asyncio.open_connection(*listener), timeout=2)
    assert guard.attempts == [listener]


def test_the_guard_stops_a_client_call_and_keeps_the_attempt(listener: tuple[str, int]) -> None:
    base_url = f"http://{listener[0]}:{listener[1]}/v1"
    # openai 2.x wraps the guard's error in APIConnectionError (so the shim's ConnectionError); 3.x lets it through
    with (
        SocketGuard() as guard,
        og.OpenAI(base_url=base_url, api_key="llmg_test", max_retries=0, timeout=2) as client,
        pytest.raises((og.ConnectionError, NetworkBlocked)),
    ):
        client.models.list()
    assert guard.attempts == [listener]


def test_a_lookup_of_another_host_is_refused_a_loopback_name_is_not() -> None:
    with SocketGuard(loopback=True) as guard:
        with pytest.raises(NetworkBlocked, match=r"'api\.openai\.com' \(only loopback is allowed\)"):
            socket.getaddrinfo("api.openai.com", 443)
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo(b"example.com", 80)
        assert socket.getaddrinfo("localhost", 80)
        assert socket.getaddrinfo("127.0.0.1", 80)
    assert guard.attempts == ["api.openai.com", "example.com"]


async def test_an_asyncio_lookup_of_another_host_is_refused() -> None:
    with SocketGuard(loopback=True) as guard, pytest.raises(NetworkBlocked):
        await asyncio.wait_for(asyncio.open_connection("api.openai.com", 443), timeout=2)
    assert guard.attempts == ["api.openai.com"]


def test_any_loopback_connects_when_allowed(listener: tuple[str, int]) -> None:
    with SocketGuard(loopback=True) as guard:
        socket.create_connection(listener, timeout=2).close()
        with socket.socket() as sock:
            sock.connect(listener)
    assert guard.attempts == []


@pytest.mark.parametrize("address", [("127.0.0.1", 8080), ("::1", 8080, 0, 0), ("localhost", 8080)])
def test_loopback_in_any_spelling_is_loopback(address: tuple[object, ...]) -> None:
    guard = SocketGuard(loopback=True)
    guard.check(address)
    assert guard.attempts == []


@pytest.mark.parametrize("address", [ELSEWHERE, ("example.com", 443), "/run/some.sock"])
def test_loopback_allowed_still_refuses_anything_else(address: object) -> None:
    guard = SocketGuard(loopback=True)
    with pytest.raises(NetworkBlocked):
        guard.check(address)  # decided before any connection exists: no packet is ever sent
    assert guard.attempts == [address]


def test_allowed_ports_let_only_those_through(listener: tuple[str, int]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as other, SocketGuard(loopback=()) as guard:
        elsewhere = other.getsockname()
        with pytest.raises(NetworkBlocked):
            socket.create_connection(listener, timeout=2)
        guard.allow_port(listener[1])
        socket.create_connection(listener, timeout=2).close()
        with pytest.raises(NetworkBlocked, match=rf"only loopback port\(s\) {listener[1]} allowed"):
            socket.create_connection(elsewhere, timeout=2)
        with pytest.raises(NetworkBlocked):
            guard.check(("192.0.2.1", listener[1]))  # the port, but not loopback
    assert guard.attempts == [listener, elsewhere, ("192.0.2.1", listener[1])]


async def test_allowed_ports_hold_for_asyncio_too(listener: tuple[str, int]) -> None:
    with SocketGuard(loopback=[listener[1]]) as guard:
        _, writer = await asyncio.wait_for(asyncio.open_connection(*listener), timeout=2)
        writer.close()
        with pytest.raises(NetworkBlocked):
            await asyncio.wait_for(asyncio.open_connection("127.0.0.1", listener[1] + 1), timeout=2)
    assert guard.attempts == [("127.0.0.1", listener[1] + 1)]


def test_the_guard_puts_the_socket_functions_back() -> None:
    before = (socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex, socket.create_connection)
    with SocketGuard():
        assert socket.socket.connect is not before[1]
    assert (socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex, socket.create_connection) == before


def test_a_swallowed_refusal_still_fails_the_test(listener: tuple[str, int]) -> None:
    with (
        pytest.raises(pytest.fail.Exception, match=r"Reached out: \[\('127\.0\.0\.1', \d+\)\]"),
        guarded(what="Reached out"),
        contextlib.suppress(OSError),  # what a framework's retry loop would do with it
    ):
        socket.create_connection(listener, timeout=2)


def test_a_test_that_attempts_nothing_passes(listener: tuple[str, int]) -> None:
    with guarded(loopback=True, what="Reached out") as guard:
        socket.create_connection(listener, timeout=2).close()
    assert guard.attempts == []
