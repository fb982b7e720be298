"""The framework tests' guard, as each environment runs it: the local gateway's port and nothing else."""

from __future__ import annotations

import socket

import pytest

import omnigate_openai as og
from _socket_guard import NetworkBlocked, SocketGuard
from omnigate_openai.testing import LocalGateway

from .conftest import chat_calls


def test_only_the_gateway_is_reachable(client: og.OpenAI, gateway: LocalGateway, host_guard: SocketGuard) -> None:
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    assert len(chat_calls(gateway)) == 1  # the gateway's port is open
    with socket.create_server(("127.0.0.1", 0)) as other:
        with pytest.raises(NetworkBlocked):
            socket.create_connection(other.getsockname(), timeout=2)  # loopback, but not the gateway
        with pytest.raises(NetworkBlocked):
            socket.getaddrinfo("api.openai.com", 443)
        assert host_guard.attempts == [other.getsockname(), "api.openai.com"]
    host_guard.attempts.clear()  # seen: the guard would have failed this test
