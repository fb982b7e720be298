"""Fixtures of the CLI tests: a fresh local gateway, and the environment the command line reads."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from omnigate_openai.cli import app

ENV_NAMES = ("OMNIGATE_BASE_URL", "OMNIGATE_API_KEY", "OMNIGATE_ADMIN_KEY", "OMNIGATE_USER_ID", "OMNIGATE_PROVIDER_KEY")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: a developer's own OMNIGATE_* variables must not leak in."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "160")  # wide enough that tables never fold a value under test


@pytest.fixture
def env(local_gateway: Any) -> dict[str, str]:
    return {
        "OMNIGATE_BASE_URL": local_gateway.base_url,
        "OMNIGATE_API_KEY": local_gateway.api_key,
        "OMNIGATE_ADMIN_KEY": local_gateway.admin_key,
    }


class Cli:
    """`cli("models", "--json")` runs the command in-process, as the console script would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
        return self._runner.invoke(app, list(args), env=self.env if env is None else env, input=input)


@pytest.fixture
def cli(env: dict[str, str]) -> Cli:
    return Cli(env)
