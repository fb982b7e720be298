"""The replay suite runs every test under the socket guard (`tests/_socket_guard.py`, tested there)."""

from __future__ import annotations

import socket

import pytest

from _socket_guard import NetworkBlocked, SocketGuard


def test_the_guard_is_on_in_every_replay_test(no_network: SocketGuard) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        address = listener.getsockname()
        if no_network.allows_loopback:  # `--record-mode=...`: recording may reach the local gateway, nothing else
            socket.create_connection(address, timeout=2).close()
            with pytest.raises(NetworkBlocked):
                no_network.check(("192.0.2.1", 443))
            assert no_network.attempts == [("192.0.2.1", 443)]
        else:
            with pytest.raises(NetworkBlocked):
                socket.create_connection(address, timeout=2)
            assert no_network.attempts == [address]
    no_network.attempts.clear()  # this attempt was the point of the test; any other fails it on teardown
