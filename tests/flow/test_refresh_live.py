"""Token renewal over a real socket: a 401 renews once and retries once; 100 concurrent 401s renew once."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import pytest

from omnigate_openai import flow
from omnigate_openai._sdk import httpx
from omnigate_openai.integrations._clients import as_async, as_sync
from omnigate_openai.testing import LocalFlowGateway

HELLO: dict[str, Any] = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
CHAT = "/api/v1/gateway/v1/chat/completions"


def _client(gateway: LocalFlowGateway, **kwargs: Any) -> flow.OpenAI:
    return flow.OpenAI(
        base_url=gateway.base_url, auth_token=gateway.auth_token, on_auth_token_refresh=gateway.issue_token, **kwargs
    )


def _async_client(gateway: LocalFlowGateway, refresh: Any) -> flow.AsyncOpenAI:
    return flow.AsyncOpenAI(base_url=gateway.base_url, auth_token=gateway.auth_token, on_auth_token_refresh=refresh)


def test_an_expired_token_is_renewed_once_and_the_call_sent_again(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    with _client(flow_gateway) as client:
        completion = client.chat.completions.create(**HELLO)
    assert completion.choices[0].message.content == "Hello there! How can I help?"
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [401, 200]
    assert client.auth_refreshes == 1
    first, second = flow_gateway.calls.to(CHAT)
    assert first.headers["authorization"] != second.headers["authorization"]


def test_a_stream_is_renewed_before_its_first_byte(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    with _client(flow_gateway) as client:
        stream = client.chat.completions.create(**HELLO, stream=True)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)
    assert text == "Hello there! How can I help?"
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [401, 200]


def test_discovery_calls_are_renewed_too(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    with _client(flow_gateway) as client:
        assert client.gateway.providers().providers
    assert flow_gateway.tokens_issued == 2


def test_a_second_401_after_the_renewal_is_raised_not_retried_again(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    flow_gateway.faults.respond(401, "Token revoked", path=CHAT, times=2)
    with _client(flow_gateway, max_retries=0) as client, pytest.raises(flow.AuthError, match="Token revoked") as caught:
        client.chat.completions.create(**HELLO)
    assert isinstance(caught.value, openai.AuthenticationError)
    assert len(flow_gateway.calls.to(CHAT)) == 2
    assert flow_gateway.auth_token not in str(caught.value)


def test_without_a_callback_the_401_is_raised(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    client = flow.OpenAI(base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token)
    with client, pytest.raises(flow.GatewayAuthError, match="Token has expired"):
        client.chat.completions.create(**HELLO)
    assert len(flow_gateway.calls.to(CHAT)) == 1


def test_a_403_is_not_a_reason_to_renew(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway, workspace_id="ws-other") as client, pytest.raises(flow.AuthError):
        client.chat.completions.create(**HELLO)
    assert flow_gateway.tokens_issued == 1


def test_a_refused_api_key_is_not_a_reason_to_renew_the_token(flow_gateway: LocalFlowGateway) -> None:
    with _client(flow_gateway, api_key="fl_" + "revoked") as client, pytest.raises(flow.AuthError, match="Invalid API"):
        client.chat.completions.create(**HELLO)
    assert flow_gateway.tokens_issued == 1


def test_copies_share_the_renewed_token(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    with _client(flow_gateway) as client:
        client.with_options(timeout=10).chat.completions.create(**HELLO)
        client.chat.completions.create(**HELLO)
    assert flow_gateway.tokens_issued == 2
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [401, 200, 200]


def test_100_threads_on_an_expired_token_renew_once_and_all_succeed(flow_gateway: LocalFlowGateway) -> None:
    def slow_issue() -> str:
        time.sleep(0.05)  # long enough for many threads to meet the 401 while one renews
        return flow_gateway.issue_token()

    client = flow.OpenAI(
        base_url=flow_gateway.base_url,
        auth_token=flow_gateway.auth_token,
        on_auth_token_refresh=slow_issue,
        max_retries=0,
    )
    with client:
        client.chat.completions.create(**HELLO)  # the pool is warm; now every call meets the expiry
        flow_gateway.expire_tokens()
        with ThreadPoolExecutor(max_workers=100) as pool:
            answers = list(pool.map(lambda _: client.chat.completions.create(**HELLO), range(100)))
    assert len(answers) == 100
    assert all(answer.choices[0].message.content for answer in answers)
    assert flow_gateway.tokens_issued == 2  # the first token, and exactly one renewal
    assert client.auth_refreshes == 1
    refused = [call for call in flow_gateway.calls.to(CHAT) if call.status == 401]
    assert len(refused) > 1, "the calls did not overlap: the test would not show a shared renewal"
    print(f"{len(refused)} of 100 threads met the expired token")


@pytest.mark.parametrize("kind", ["coroutine function", "plain function"])
async def test_100_tasks_on_an_expired_token_renew_once_and_all_succeed(
    flow_gateway: LocalFlowGateway, kind: str
) -> None:
    async def issue() -> str:
        await asyncio.sleep(0.01)  # long enough for every task to meet the 401 while one renews
        return flow_gateway.issue_token()

    refresh = issue if kind == "coroutine function" else flow_gateway.issue_token
    flow_gateway.expire_tokens()
    async with _async_client(flow_gateway, refresh) as client:
        answers = await asyncio.wait_for(
            asyncio.gather(*(client.chat.completions.create(**HELLO) for _ in range(100))), timeout=60
        )
    assert len(answers) == 100
    assert flow_gateway.tokens_issued == 2
    assert client.auth_refreshes == 1
    refused = [call for call in flow_gateway.calls.to(CHAT) if call.status == 401]
    assert len(refused) > 1, "the calls did not overlap: the test would not show a shared renewal"
    print(f"{len(refused)} of 100 tasks met the expired token")


async def test_an_async_stream_is_renewed_before_its_first_byte(flow_gateway: LocalFlowGateway) -> None:
    flow_gateway.expire_tokens()
    async with _async_client(flow_gateway, flow_gateway.issue_token) as client:
        stream = await client.chat.completions.create(**HELLO, stream=True)
        text = "".join([chunk.choices[0].delta.content or "" async for chunk in stream])
    assert text == "Hello there! How can I help?"
    assert [call.status for call in flow_gateway.calls.to(CHAT)] == [401, 200]


class _CountedRefresh:
    """`on_auth_token_refresh` that counts its calls, and renews only once every caller met the 401 and had
    time to ask for a renewal (or a second renewal began): whichever thread or event loop runs it first."""

    def __init__(self, gateway: LocalFlowGateway, *, expected: int) -> None:
        self.gateway, self.expected, self.calls = gateway, expected, 0

    def _may_renew(self, started: float) -> bool:
        elapsed = time.monotonic() - started
        refused = sum(call.status == 401 for call in self.gateway.calls.to(CHAT))
        return self.calls > 1 or (refused >= self.expected and elapsed > 0.5) or elapsed > 5

    def __call__(self) -> str:
        self.calls += 1
        started = time.monotonic()
        while not self._may_renew(started):
            time.sleep(0.01)
        return self.gateway.issue_token()

    async def coroutine(self) -> str:
        self.calls += 1
        started = time.monotonic()
        while not self._may_renew(started):
            await asyncio.sleep(0.01)
        return self.gateway.issue_token()


def _answer_in_its_own_loop(client: flow.AsyncOpenAI) -> str | None:
    async def call() -> str | None:
        async with client:
            return (await client.chat.completions.create(**HELLO)).choices[0].message.content

    return asyncio.run(asyncio.wait_for(call(), timeout=30))


@pytest.mark.parametrize("kind", ["plain function", "coroutine function"])
def test_two_event_loops_on_an_expired_token_renew_it_once(flow_gateway: LocalFlowGateway, kind: str) -> None:
    refresh = _CountedRefresh(flow_gateway, expected=2)
    client = flow.AsyncOpenAI(
        base_url=flow_gateway.base_url,
        auth_token=flow_gateway.auth_token,
        on_auth_token_refresh=refresh if kind == "plain function" else refresh.coroutine,
        max_retries=0,
    )
    # one client per loop (a pool belongs to one loop), one token: what a twin or a copy per thread shares
    loops = [client, client.with_options(http_client=httpx.AsyncClient())]
    flow_gateway.expire_tokens()
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(_answer_in_its_own_loop, loops, timeout=60))
    assert answers == ["Hello there! How can I help?"] * 2
    assert refresh.calls == 1
    assert flow_gateway.tokens_issued == 2
    assert client.auth_refreshes == 1
    assert [call.status for call in flow_gateway.calls.to(CHAT)].count(401) == 2


@pytest.mark.parametrize("first", ["thread", "task"])
async def test_a_thread_and_a_task_through_a_twin_renew_the_token_once(
    flow_gateway: LocalFlowGateway, first: str
) -> None:
    refresh = _CountedRefresh(flow_gateway, expected=2)
    client = flow.OpenAI(
        base_url=flow_gateway.base_url, auth_token=flow_gateway.auth_token, on_auth_token_refresh=refresh, max_retries=0
    )
    twin = as_async(client)
    flow_gateway.expire_tokens()

    def first_401() -> None:
        deadline = time.monotonic() + 5
        while not any(call.status == 401 for call in flow_gateway.calls.to(CHAT)) and time.monotonic() < deadline:
            time.sleep(0.005)

    def in_thread() -> Any:
        if first == "task":
            first_401()
        return client.chat.completions.create(**HELLO)

    async def in_task() -> Any:
        if first == "thread":
            await asyncio.to_thread(first_401)
        return await twin.chat.completions.create(**HELLO)

    with client:
        async with twin:
            answers = await asyncio.wait_for(asyncio.gather(asyncio.to_thread(in_thread), in_task()), 30)
    assert [answer.choices[0].message.content for answer in answers] == ["Hello there! How can I help?"] * 2
    assert refresh.calls == 1
    assert flow_gateway.tokens_issued == 2
    assert client.auth_refreshes == twin.auth_refreshes == 1


async def test_a_blocking_call_in_the_loop_of_a_renewing_task_does_not_wait_for_it(
    flow_gateway: LocalFlowGateway,
) -> None:
    """Waiting there would never end (the renewing task needs the loop the call holds): it renews on its own."""
    sync_call_refused = asyncio.Event()

    async def slow_issue() -> str:
        await asyncio.wait_for(sync_call_refused.wait(), timeout=10)
        return flow_gateway.issue_token()

    client = flow.AsyncOpenAI(
        base_url=flow_gateway.base_url,
        auth_token=flow_gateway.auth_token,
        on_auth_token_refresh=lambda: slow_issue(),  # a plain function: a sync twin is allowed
        max_retries=0,
    )
    twin = as_sync(client)
    flow_gateway.expire_tokens()

    async def blocking_call_in_the_loop() -> None:
        while not flow_gateway.calls.to(CHAT):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # the task below has met its 401 and awaits its renewal
        try:
            with pytest.raises(flow.ConfigurationError, match="returned an awaitable"):
                twin.chat.completions.create(**HELLO)  # blocks the loop: not a deadlock, a clear error
        finally:
            sync_call_refused.set()

    async with client:
        renewed, _ = await asyncio.wait_for(
            asyncio.gather(client.chat.completions.create(**HELLO), blocking_call_in_the_loop()), 30
        )
    twin.close()
    assert renewed.choices[0].message.content == "Hello there! How can I help?"
    assert client.auth_refreshes == 1
