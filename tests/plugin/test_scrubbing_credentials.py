"""Credentials that reach a cassette by other roads than OmniGate's headers: a token exchange recorded with the calls
it serves (Flow's bearer JWT and its refresh token), a Flow `fl_` key, a key in the query string or in the URL's
password, Azure's `api-key` header, and a body that is not UTF-8 echoing them. Recorded for real over loopback
(bodies read back from the YAML, `!!binary` ones decoded), then replayed with the network blocked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import omnigate_openai as og
from _fakes import fake_key
from _hostile import ISSUED_REFRESH_TOKEN, ISSUED_TOKEN, hostile_server
from _socket_guard import SocketGuard
from omnigate_openai import flow
from omnigate_openai._sdk import httpx
from omnigate_openai.testing.pytest_plugin import Recorder

FLOW_KEY = fake_key("fl_", "Kq7Zt2Lm9Xw4Rv8Bn3Hc6Jd1")
REFRESH_TOKEN = "rt-held-by-the-test-" + "0123456789abcdef"
CLIENT_SECRET = "client-secret-" + "0123456789abcdef"
QUERY_KEY = "query-key-" + "0123456789abcdef"
URL_PASSWORD = "url-password-" + "0123456789abcdef"
AZURE_KEY = "azure-key-" + "0123456789abcdef0123"
SECRETS = {
    "issued access token": ISSUED_TOKEN,
    "issued refresh token": ISSUED_REFRESH_TOKEN,
    "sent refresh token": REFRESH_TOKEN,
    "client secret": CLIENT_SECRET,
    "flow key": FLOW_KEY,
    "query key": QUERY_KEY,
    "url password": URL_PASSWORD,
    "azure key": AZURE_KEY,
}


def _session(root: str, http: httpx.Client) -> list[tuple[str, Any]]:
    """What a test of a Flow app may do inside one cassette: refresh its token, then call with it."""
    seen: list[tuple[str, Any]] = []
    body = {"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN, "client_secret": CLIENT_SECRET}
    exchanged = http.post(f"{root}/token_exchange_200/oauth/token", json=body)
    token = exchanged.json()["access_token"]
    seen.append(("token", exchanged.status_code))
    with flow.OpenAI(base_url=f"{root}/echo_binary_200", auth_token=token, max_retries=0) as client:
        answer = client.get("/echo", cast_to=httpx.Response)
        seen.append(("bearer", (answer.status_code, answer.content.startswith(b"\xff\xfe echo: "))))
    with flow.OpenAI(base_url=f"{root}/echo_binary_200", api_key=FLOW_KEY, max_retries=0) as client:
        seen.append(("flow key", client.get("/echo", cast_to=httpx.Response).status_code))
    host = root.removeprefix("http://")
    seen.append(("query", http.get(f"{root}/echo_binary_200/v1/models", params={"key": QUERY_KEY}).status_code))
    seen.append(("password", http.get(f"http://bob:{URL_PASSWORD}@{host}/echo_binary_200/v1/models").status_code))
    seen.append(("azure", http.get(f"{root}/echo_binary_200/v1/models", headers={"api-key": AZURE_KEY}).status_code))
    return seen


def _everything_in(cassette: Path) -> str:
    """The file's text, and every request and response body as stored (binary ones decoded)."""
    text = cassette.read_text()
    parts = [text]
    for interaction in yaml.safe_load(text)["interactions"]:
        for body in (interaction["request"]["body"], interaction["response"]["body"]["string"]):
            parts.append(body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body))
    return "\n".join(parts)


def test_tokens_flow_keys_and_query_credentials_never_land_in_a_cassette(tmp_path: Path) -> None:
    with hostile_server() as (server, _), httpx.Client(timeout=10) as http:
        with Recorder(cassette_dir=tmp_path, record_mode="once").use_cassette("flow"):
            recorded = _session(server.url, http)
        assert len(server.requests) == 6  # every call was sent, and answered

        stored = _everything_in(tmp_path / "flow.yaml")
        leaked = [name for name, secret in SECRETS.items() if secret in stored]
        assert leaked == []
        for placeholder in (
            "<redacted-token-1>",
            "<redacted-flow-key-1>",
            "<redacted-secret-1>",
            "<redacted-password-1>",
        ):
            assert placeholder in stored
        assert "<redacted-provider-key-1>" in stored  # Azure's `api-key` header

        with (
            SocketGuard() as guard,
            Recorder(cassette_dir=tmp_path, record_mode="none").use_cassette("flow") as played,
        ):
            replayed = _session(server.url, http)
            assert played.all_played
        assert guard.attempts == []
        assert replayed == recorded


GATEWAY_KEY = fake_key("llmg_", "escapedEcho0123456789abcdef")
SLASHED_PROVIDER_KEY = fake_key("sk-proj-", "escaped/echo-0123456789abcdef")


def _set_provider_key(url: str, mode: str) -> None:
    """`provider_keys.set`, sync or async, on a gateway that answers 401 echoing both keys."""
    if mode == "sync":
        with og.OpenAI(base_url=url, api_key=GATEWAY_KEY, max_retries=0) as client:
            client.gateway.provider_keys.set("openai", SLASHED_PROVIDER_KEY)
        return

    async def call() -> None:
        async with og.AsyncOpenAI(base_url=url, api_key=GATEWAY_KEY, max_retries=0) as client:
            await client.gateway.provider_keys.set("openai", SLASHED_PROVIDER_KEY)

    asyncio.run(call())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("style", ["slashes", "every_upper", "mixed"])
def test_a_key_echoed_json_escaped_never_lands_in_a_cassette(tmp_path: Path, style: str, mode: str) -> None:
    """The scrubber replaced keys as written: `\\u006c\\u006c\\u006d\\u0067_...` and `\\/` kept them in the cassette."""
    with hostile_server() as (server, _):
        url = f"{server.url}/echo_credentials_401_escaped/{style}/v1"
        with (
            Recorder(cassette_dir=tmp_path, record_mode="once").use_cassette("escaped"),
            pytest.raises(og.AuthError) as recorded,
        ):
            _set_provider_key(url, mode)
        (interaction,) = yaml.safe_load((tmp_path / "escaped.yaml").read_text())["interactions"]
        stored = json.loads(interaction["response"]["body"]["string"])
        assert stored == {
            "detail": 'Invalid credentials llmg_<redacted-1>   for {"provider":"openai",'
            '"api_key":"<redacted-provider-key-1>"}'
        }
        with (
            SocketGuard() as guard,
            Recorder(cassette_dir=tmp_path, record_mode="none").use_cassette("escaped"),
            pytest.raises(og.AuthError) as replayed,
        ):
            _set_provider_key(url, mode)
        assert guard.attempts == []
    assert str(recorded.value) == 'Invalid credentials [secure]   for {"provider":"openai","api_key":"[secure]"}'
    assert str(replayed.value) == stored["detail"]
