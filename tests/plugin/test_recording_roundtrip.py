"""Record a session full of real-looking secrets against the local gateway, then hold the cassette to two promises:
none of those secrets is anywhere in the file, and replaying it (with the network blocked) gives the same results
and the same errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import omnigate_openai as og
from _fakes import fake_key
from _socket_guard import SocketGuard
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway
from omnigate_openai.testing.pytest_plugin import REPLAY_API_KEY, REPLAY_BASE_URL, Recorder

ADMIN_KEY = "adm_Zq3v9KfLm2Xw8RtY6pNb4HcJ1sDe7GuA"
PROVIDER_KEYS = {
    "openai": fake_key("sk-proj-", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90"),
    "anthropic": fake_key("sk-ant-", "api03-Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32"),
    "gemini": fake_key("AIza", "SyD4f8Kq2Lm9Nx3Rv7Tb1Wc5Yh6Jg0Ps8Ue"),
}
USER_ID = "alice.martin@example.com"
WRONG_KEY = fake_key("llmg_", "Wr0ngWr0ngWr0ngWr0ngWr0ngWr0ng")
HELLO = [{"role": "user", "content": "Say hello."}]
MIDSTREAM = [{"role": "user", "content": "Say hello. FAULT:MIDSTREAM:2"}]


def _session(client: og.OpenAI, *, admin_key: str, secrets: list[str]) -> list[tuple[str, Any]]:
    """Signup, provider keys, a minted key, chat, stream, errors, admin project creation: what each gave."""
    seen: list[tuple[str, Any]] = []
    root = str(client.base_url).rstrip("/").removesuffix("/v1")

    signup = client.post("/signup", body={"email": "dev@example.com", "project_name": "web"}, cast_to=httpx.Response)
    signup_key = signup.json()["api_key"]
    secrets.append(signup_key)
    seen.append(("signup", (signup.status_code, signup_key.startswith("llmg_"))))
    project = client.with_options(api_key=signup_key)
    for provider, key in PROVIDER_KEYS.items():
        answer = project.post("/keys", body={"provider": provider, "api_key": key}, cast_to=httpx.Response)
        seen.append((f"byok {provider}", answer.status_code))

    minted = project.post("/keys/api", body={"name": "ci"}, cast_to=httpx.Response).json()
    secrets.append(minted["api_key"])
    seen.append(("minted", (minted["name"], minted["key_prefix"], minted["api_key"].startswith("llmg_"))))
    user = project.with_options(api_key=minted["api_key"], user_id=USER_ID)

    completion = user.chat.completions.create(model="gpt-4o-mini", messages=HELLO, user=USER_ID)
    seen.append(("chat", (completion.choices[0].message.content, completion.model)))
    stream = user.chat.completions.create(model="claude-3-5-haiku-latest", messages=HELLO, stream=True)
    seen.append(("stream", [chunk.choices[0].delta.content for chunk in stream if chunk.choices]))
    bearer = {"headers": {"authorization": f"Bearer {minted['api_key']}"}}
    seen.append(
        ("me by bearer", user.get("/me", options=bearer, cast_to=httpx.Response).json()["configured_providers"])
    )

    for label, call in [
        ("provider 401", lambda: user.chat.completions.create(model="gpt-4o-mini", messages=_say("FAULT:401"))),
        ("unknown model", lambda: user.chat.completions.create(model="llama-3-70b", messages=HELLO)),
        ("midstream", lambda: list(user.chat.completions.create(model="gpt-4o-mini", messages=MIDSTREAM, stream=True))),
        ("bad key", lambda: client.with_options(api_key=WRONG_KEY).models.list()),
    ]:  # fmt: skip
        with pytest.raises(og.APIError) as caught:
            call()
        error = caught.value
        seen.append((label, (type(error).__name__, type(error).__mro__[1:3], str(error), error.status_code)))

    admin = {"headers": {"x-admin-key": admin_key}}
    org = client.post("/admin/orgs", body={"name": "acme"}, options=admin, cast_to=httpx.Response).json()
    made = client.post(
        "/admin/projects", body={"org_id": org["id"], "name": "api"}, options=admin, cast_to=httpx.Response
    ).json()
    secrets.append(made["api_key"])
    seen.append(("admin project", (made["name"], made["api_key"].startswith("llmg_"))))
    seen.append(("health", client.get(f"{root}/health", cast_to=httpx.Response).json()["status"]))
    return seen


def _say(marker: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Say hello. {marker}"}]


@pytest.mark.local_gateway(admin_key=ADMIN_KEY)
def test_a_recorded_session_holds_no_secret_and_replays_the_same(local_gateway: LocalGateway, tmp_path: Path) -> None:
    secrets = [local_gateway.api_key, ADMIN_KEY, USER_ID, *PROVIDER_KEYS.values()]
    recording = Recorder(cassette_dir=tmp_path, record_mode="once", options={"scrub_user_id": True})
    with (
        recording.use_cassette("session"),
        og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, max_retries=0) as client,
    ):
        recorded = _session(client, admin_key=ADMIN_KEY, secrets=secrets)

    cassette = (tmp_path / "session.yaml").read_text()
    assert len(secrets) == 9  # 3 configured, 3 provider keys, 3 gateway keys minted during the session
    leaked = [secret for secret in secrets if secret in cassette]
    assert leaked == [], f"secrets left in the cassette: {len(leaked)}"
    for placeholder in (
        "llmg_<redacted-",
        "<redacted-provider-key-3>",
        "<redacted-admin-key-1>",
        "<redacted-user-id-1>",
    ):
        assert placeholder in cassette

    replaying = Recorder(cassette_dir=tmp_path, record_mode="none", options={"scrub_user_id": True})
    with (
        SocketGuard() as guard,
        replaying.use_cassette("session") as played,
        og.OpenAI(base_url=REPLAY_BASE_URL, api_key=REPLAY_API_KEY, max_retries=0) as client,
    ):
        replayed = _session(client, admin_key="<redacted-admin-key-1>", secrets=[])
        assert played.all_played
    assert guard.attempts == []
    assert replayed == recorded
    assert dict(recorded)["provider 401"][0] == "ProviderError"
    assert dict(recorded)["midstream"][3] == 502


@pytest.mark.parametrize("mode", ["new_episodes", "all"])
def test_a_cassette_recorded_again_numbers_new_secrets_after_its_own(
    local_gateway: LocalGateway, tmp_path: Path, mode: str
) -> None:
    """Recorded again (`new_episodes`; `all` keeps the old interactions too), numbering restarted at 1: a second
    gateway key and a second provider key got the placeholders of the first ones, two secrets for one name."""
    sessions = [  # a gateway key, and the provider key it stores (another provider: a new episode)
        (local_gateway.api_key, "openai", fake_key("sk-proj-", "First0First0First0First0First0")),
        (local_gateway.new_project().api_key, "anthropic", fake_key("sk-ant-", "api03-Second0Second0Second0")),
    ]
    for key, provider, provider_key in sessions:
        recording = Recorder(cassette_dir=tmp_path, record_mode=mode)
        with (
            recording.use_cassette("twice"),
            og.OpenAI(base_url=local_gateway.base_url, api_key=key, max_retries=0) as client,
        ):
            sent = client.post("/keys", body={"provider": provider, "api_key": provider_key}, cast_to=httpx.Response)
            assert sent.status_code == 204

    cassette = (tmp_path / "twice.yaml").read_text()
    assert [secret for session in sessions for secret in (session[0], session[2]) if secret in cassette] == []
    first, later = cassette.split("- request:")[1:]
    for placeholder in ("llmg_<redacted-1>", "<redacted-provider-key-1>"):
        assert placeholder in first
        assert placeholder not in later
    for placeholder in ("llmg_<redacted-2>", "<redacted-provider-key-2>"):
        assert placeholder in later
