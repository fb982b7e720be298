"""Every command, in-process with typer's runner, against a live local gateway: tables, `--json`, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from _hostile import hostile_server
from omnigate_openai import OpenAI

from .conftest import Cli

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def _say_hello(local_gateway: Any, *users: str | None) -> None:
    with OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key) as client:
        for user in users:
            headers = {"x-user-id": user} if user else None
            client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], extra_headers=headers
            )


# --- doctor ------------------------------------------------------------------------------------------------------


def test_doctor_passes_every_check(cli: Cli) -> None:
    result = cli("doctor")
    assert result.exit_code == 0, result.output
    checks = ("✓ configuration", "✓ gateway reachable", "✓ clock", "✓ version: omnigate 0.2.0", "✓ gateway key")
    for line in (*checks, "✓ admin key"):
        assert line in result.output
    assert "✓ provider keys: openai, anthropic, gemini, azure" in result.output
    assert "All checks passed." in result.output


def test_doctor_json(cli: Cli) -> None:
    result = cli("doctor", "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == [
        "configuration", "gateway reachable", "clock", "version", "gateway key", "provider keys", "admin key"
    ]  # fmt: skip


def test_doctor_fails_on_a_bad_key(cli: Cli, env: dict[str, str]) -> None:
    result = cli("doctor", env={**env, "OMNIGATE_API_KEY": "llmg_wrong"})
    assert result.exit_code == 1
    assert "✗ gateway key: Invalid API key" in result.output
    assert "check failed." in result.output


def test_doctor_fails_without_provider_keys(cli: Cli, env: dict[str, str], local_gateway: Any) -> None:
    project = local_gateway.new_project(providers=())
    result = cli("doctor", env={**env, "OMNIGATE_API_KEY": project.api_key})
    assert result.exit_code == 1
    assert "✗ provider keys: none stored" in result.output


def test_doctor_fails_when_unreachable(cli: Cli) -> None:
    result = cli("doctor", "--json", env={"OMNIGATE_BASE_URL": "http://127.0.0.1:9/v1", "OMNIGATE_API_KEY": "llmg_x"})
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert [(c["name"], c["ok"]) for c in report["checks"]] == [("configuration", True), ("gateway reachable", False)]


def test_doctor_names_every_missing_setting_in_the_command_lines_terms(cli: Cli) -> None:
    result = cli("doctor", "--json", env={})
    assert result.exit_code == 1
    (check,) = json.loads(result.output)["checks"]
    assert check["detail"] == (
        "missing the gateway URL (pass --base-url or set OMNIGATE_BASE_URL); "
        "and a gateway key (pass --api-key or set OMNIGATE_API_KEY)"
    )


def test_doctor_says_where_the_url_came_from(cli: Cli, env: dict[str, str]) -> None:
    from_env = json.loads(cli("doctor", "--json").output)["checks"][0]["detail"]
    assert "(from OMNIGATE_BASE_URL)" in from_env
    overridden = cli(
        "--base-url",
        env["OMNIGATE_BASE_URL"],
        "doctor",
        "--json",
        env={**env, "OMNIGATE_BASE_URL": "http://127.0.0.1:9/v1"},
    )
    detail = json.loads(overridden.output)["checks"][0]["detail"]
    assert "(from --base-url)" in detail


def test_a_configuration_error_names_options_not_arguments(cli: Cli) -> None:
    result = cli("models", env={"OMNIGATE_BASE_URL": "http://127.0.0.1:9/v1"})
    assert result.exit_code == 1
    assert "pass `--api-key`" in result.output
    assert "api_key=" not in result.output


def test_doctor_flags_a_wrong_admin_key(cli: Cli, env: dict[str, str]) -> None:
    result = cli("doctor", env={**env, "OMNIGATE_ADMIN_KEY": env["OMNIGATE_API_KEY"]})
    assert result.exit_code == 1
    assert "✗ admin key: Invalid or missing x-admin-key" in result.output


def test_global_options_override_the_environment(cli: Cli, env: dict[str, str]) -> None:
    result = cli("--base-url", env["OMNIGATE_BASE_URL"], "--api-key", env["OMNIGATE_API_KEY"], "models", env={})
    assert result.exit_code == 0, result.output


# --- models ------------------------------------------------------------------------------------------------------


def test_models_table(cli: Cli) -> None:
    result = cli("models")
    assert result.exit_code == 0
    assert "claude-3-5-sonnet-20241022" in result.output
    row = next(line for line in result.output.splitlines() if " gpt-4o-mini " in line)
    assert "openai" in row
    assert "$0.00015" in row
    assert "$0.0006" in row


def test_models_json(cli: Cli) -> None:
    models = json.loads(cli("models", "--json").output)
    assert len(models) == 28
    assert models[0]["pricing"] == {"input_per_1k_usd": 0.0008, "output_per_1k_usd": 0.004}


def test_bad_key_is_one_line_and_status_1(cli: Cli, env: dict[str, str]) -> None:
    result = cli("models", env={**env, "OMNIGATE_API_KEY": "llmg_wrong"})
    assert result.exit_code == 1
    assert result.output.strip() == "error: Invalid API key"


@pytest.mark.parametrize("headers", ["retry-after=1e300", "retry-after=1e999", "retry-after-ms=1e999"])
def test_a_rate_limit_asking_for_an_endless_wait_is_one_line_and_status_1(cli: Cli, headers: str) -> None:
    """Such a wait is not made and nothing turns it into a date: the error line, at once."""
    with hostile_server() as (server, _):
        env = {"OMNIGATE_BASE_URL": f"{server.url}/rate_limited_with/{headers}/v1", "OMNIGATE_API_KEY": "llmg_x"}
        result = cli("metrics", env=env)
    assert result.exit_code == 1
    assert result.output == "error: Rate limit exceeded: 60 requests per minute\n"
    assert len(server.requests) == 1


# --- metrics -----------------------------------------------------------------------------------------------------


def test_metrics_tables_and_chart(cli: Cli, local_gateway: Any) -> None:
    _say_hello(local_gateway, "alice", "bob", None)
    result = cli("metrics", "--range", "1h", "--group-by", "user")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Requests" in out
    assert "$0.000018" in out
    for user in ("alice", "bob", "unknown"):
        assert f" {user} " in out
    assert "Requests per minute" in out
    assert "█" in out


def test_metrics_json_with_window(cli: Cli, local_gateway: Any) -> None:
    _say_hello(local_gateway, None)
    result = cli("metrics", "--from", "2026-01-01T00:00:00Z", "--granularity", "day", "--json")
    data = json.loads(result.output)
    assert (data["scope"], data["granularity"], data["totals"]["requests"]) == ("project", "day", 1)


def test_metrics_without_traffic(cli: Cli) -> None:
    assert "No requests in this window." in cli("metrics").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--range", "2d"], "invalid range '2d'; expected one of 1h, 24h, 7d, 30d"),
        (["--range", "1h", "--from", "2026-01-01T00:00:00Z"], "'range' is mutually exclusive with 'from'/'to'"),
        (["--to", "2026-01-01T00:00:00Z"], "'from' is required when 'to' is supplied"),
        (["--group-by", "day"], "invalid group_by; expected one of provider, model, user, status"),
        (["--granularity", "week"], "invalid granularity; expected one of minute, hour, day"),
    ],
)
def test_bad_metrics_arguments(cli: Cli, local_gateway: Any, args: list[str], message: str) -> None:
    result = cli("metrics", *args)
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {message}"
    assert local_gateway.calls.to("/v1/metrics") == []


# --- keys --------------------------------------------------------------------------------------------------------


def test_keys_create_list_revoke(cli: Cli) -> None:
    created = cli("keys", "create", "ci")
    assert created.exit_code == 0
    secret = next(word for word in created.output.split() if word.startswith("llmg_"))
    assert "shown only once" in created.output

    listed = cli("keys", "list")
    assert listed.exit_code == 0
    assert secret[:12] in listed.output
    assert secret not in listed.output
    assert "active" in listed.output

    (key,) = json.loads(cli("keys", "list", "--json").output)
    assert "api_key" not in key
    revoked = cli("keys", "revoke", key["id"])
    assert revoked.exit_code == 0
    assert f"Revoked gateway key {key['id']}" in revoked.output
    assert json.loads(cli("keys", "revoke", key["id"], "--json").output) == {"id": key["id"], "revoked": True}
    assert "revoked" in cli("keys", "list").output


def test_keys_list_never_wraps_an_id_even_at_80_columns(cli: Cli, env: dict[str, str]) -> None:
    created = json.loads(cli("keys", "create", "a-rather-long-key-name-for-a-narrow-terminal", "--json").output)
    listed = cli("keys", "list", env={**env, "COLUMNS": "80"})
    assert listed.exit_code == 0
    assert created["id"] in listed.output  # on one line, whole, so it can be copied


def test_help_mentions_only_commands_that_exist(cli: Cli) -> None:
    shown = cli("--help").output
    assert "health" not in shown


def test_keys_create_json_carries_the_secret_once(cli: Cli) -> None:
    created = json.loads(cli("keys", "create", "bot", "--json").output)
    assert created["api_key"].startswith("llmg_")
    assert created["name"] == "bot"


def test_keys_revoke_unknown_id(cli: Cli) -> None:
    result = cli("keys", "revoke", UNKNOWN_ID)
    assert result.exit_code == 1
    assert result.output.strip() == "error: API key not found"


def test_keys_create_empty_name(cli: Cli) -> None:
    result = cli("keys", "create", "")
    assert result.exit_code == 1
    assert "error: Expected a key name of 1 to 255 characters, got ''" in result.output


# --- provider-keys -----------------------------------------------------------------------------------------------


def test_provider_keys_set(cli: Cli, local_gateway: Any) -> None:
    project = local_gateway.new_project(providers=())
    env = {"OMNIGATE_BASE_URL": local_gateway.base_url, "OMNIGATE_API_KEY": project.api_key}
    result = cli("provider-keys", "set", "openai", "--key", "sk-local-key-123", env=env)
    assert result.exit_code == 0
    assert "Stored the openai key for this project." in result.output
    azure = ["provider-keys", "set", "azure", "--endpoint", "https://x.openai.azure.com", "--deployment", "gpt-4o"]
    prompted = cli(*azure, "--json", input="azure-key-123\n", env=env)  # the key is prompted for, hidden
    assert prompted.output.startswith("Provider key: ")
    assert "azure-key-123" not in prompted.output
    assert json.loads(prompted.output[prompted.output.index("{") :]) == {"provider": "azure", "stored": True}
    sent = local_gateway.calls.to("/v1/keys")[-1].json
    assert sent == {
        "provider": "azure",
        "api_key": "azure-key-123",
        "meta": {"endpoint": "https://x.openai.azure.com", "deployment": "gpt-4o"},
    }
    assert "sk-local-key-123" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["azure", "--key", "azure-key-123"], "Azure provider requires meta.endpoint (an https:// URL)."),
        (["mistral", "--key", "sk-long-enough"], "Input should be 'openai', 'anthropic', 'gemini' or 'azure'"),
        (["openai", "--key", "sk-1"], "Expected a provider key of at least 8 characters, got 4"),
    ],
)
def test_provider_keys_refusals(cli: Cli, args: list[str], message: str) -> None:
    result = cli("provider-keys", "set", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "sk-long-enough" not in result.output


# --- help --------------------------------------------------------------------------------------------------------


def test_help_lists_every_command(cli: Cli) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("doctor", "models", "metrics", "keys", "provider-keys", "serve"):
        assert command in result.output
