"""The token's renewal on its own: once per expiry, however many callers, threads or tasks, meet the 401."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import omnigate_openai as og
from omnigate_openai.flow._token import BearerToken


class Issuer:
    """Hands out `token-1`, `token-2`, ...; slow enough that concurrent callers really overlap."""

    def __init__(self, delay: float = 0.01) -> None:
        self.calls = 0
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
            number = self.calls
        threading.Event().wait(self.delay)
        return f"token-{number}"

    async def issue(self) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return f"token-{self.calls}"


def test_a_401_renews_and_a_second_caller_with_the_same_stale_token_does_not() -> None:
    issuer = Issuer(delay=0)
    token = BearerToken("token-0", refresh=issuer)
    assert token.renew("token-0") is True
    assert token.renew("token-0") is True  # renewed meanwhile: just retry
    assert token.secret.reveal() == "token-1"
    assert (issuer.calls, token.refreshes) == (1, 1)


def test_without_a_callback_nothing_is_renewed() -> None:
    token = BearerToken("token-0", refresh=None)
    assert token.renew("token-0") is False
    assert token.can_refresh is False


def test_100_threads_meeting_one_expiry_renew_once() -> None:
    issuer = Issuer()
    token = BearerToken("token-0", refresh=issuer)
    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(lambda _: token.renew("token-0"), range(100)))
    assert all(results)
    assert issuer.calls == 1
    assert token.secret.reveal() == "token-1"


async def test_100_tasks_meeting_one_expiry_renew_once() -> None:
    issuer = Issuer()
    token = BearerToken("token-0", refresh=issuer.issue)
    results = await asyncio.wait_for(asyncio.gather(*(token.arenew("token-0") for _ in range(100))), timeout=10)
    assert all(results)
    assert issuer.calls == 1
    assert token.secret.reveal() == "token-1"


async def test_the_async_client_takes_a_plain_function_too() -> None:
    token = BearerToken("token-0", refresh=Issuer(delay=0))
    assert await token.arenew("token-0") is True
    assert token.secret.reveal() == "token-1"


def test_the_sync_client_refuses_an_async_callback_clearly() -> None:
    async def issue() -> str:
        return "token-1"

    token = BearerToken("token-0", refresh=issue)
    with pytest.raises(og.ConfigurationError, match=r"returned an awaitable: the sync client needs a plain function"):
        token.renew("token-0")


@pytest.mark.parametrize("bad", [None, "", 42, "two\nlines"])
def test_a_callback_returning_no_usable_token_is_a_configuration_error(bad: object) -> None:
    token = BearerToken("token-0", refresh=lambda: bad)  # type: ignore[arg-type, return-value]
    with pytest.raises(og.ConfigurationError, match=r"token|auth_token"):
        token.renew("token-0")
    assert token.secret.reveal() == "token-0"


def test_the_repr_shows_no_token() -> None:
    secret = "eyJhbGciOiJIUzI1NiJ9.payload-that-is-long.signature"
    token = BearerToken(secret, refresh=None)
    assert secret not in repr(token)
    assert "payload" not in repr(token)


async def test_a_cancelled_renewal_lets_a_waiting_call_renew() -> None:
    """The renewing task is cancelled mid-way: the call waiting for it renews instead of waiting for ever."""
    started, calls = asyncio.Event(), 0

    async def issue() -> str:
        nonlocal calls
        calls += 1
        if calls == 1:
            started.set()
            await asyncio.sleep(30)
        return f"token-{calls}"

    token = BearerToken("token-0", refresh=issue)
    renewing = asyncio.create_task(token.arenew("token-0"))
    await asyncio.wait_for(started.wait(), timeout=5)
    waiting = asyncio.create_task(token.arenew("token-0"))
    await asyncio.sleep(0.01)
    renewing.cancel()
    assert await asyncio.wait_for(waiting, timeout=5) is True
    assert renewing.cancelled()
    assert (token.secret.reveal(), token.refreshes, calls) == ("token-2", 1, 2)


async def test_a_cancelled_waiter_cancels_no_renewal() -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def issue() -> str:
        started.set()
        await asyncio.wait_for(release.wait(), timeout=5)
        return "token-1"

    token = BearerToken("token-0", refresh=issue)
    renewing = asyncio.create_task(token.arenew("token-0"))
    await asyncio.wait_for(started.wait(), timeout=5)
    impatient = asyncio.create_task(token.arenew("token-0"))
    await asyncio.sleep(0.01)
    impatient.cancel()
    patient = asyncio.create_task(token.arenew("token-0"))
    await asyncio.sleep(0.01)
    release.set()
    assert await asyncio.wait_for(asyncio.gather(renewing, patient), timeout=5) == [True, True]
    assert (token.secret.reveal(), token.refreshes) == ("token-1", 1)


def test_a_thread_waits_for_a_renewal_running_in_an_event_loop() -> None:
    """A sync client and its async twin share the token: the thread waits for the loop's renewal, never calling
    the callback itself (here it could not: it is a coroutine function)."""
    issuer, in_flight = Issuer(delay=0.3), threading.Event()

    async def issue() -> str:
        in_flight.set()
        return await issuer.issue()

    token = BearerToken("token-0", refresh=issue)
    with ThreadPoolExecutor(max_workers=1) as pool:
        renewing = pool.submit(asyncio.run, token.arenew("token-0"))
        assert in_flight.wait(timeout=5)
        assert token.renew("token-0") is True
        assert renewing.result(timeout=5) is True
    assert (token.secret.reveal(), issuer.calls) == ("token-1", 1)
