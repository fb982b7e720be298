"""The public response models: exported, typed (Decimal, datetime), tolerant of newer servers, secrets masked."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openai
import pytest

from _mypy import mypy_errors
from omnigate_openai import types
from omnigate_openai.types import CreatedApiKey, CreatedProject, Me, MetricsResponse, Org, Signup

from ._support import recorded_json

SECRET = "llmg_" + "s3cr3t" * 7


def test_all_lists_exactly_the_public_names() -> None:
    # "@py_builtins" and friends: pytest rewrites asserts in the modules of a plugin's distribution.
    public = {name for name in vars(types) if not name.startswith(("_", "@"))} - {
        "account", "admin", "api_keys", "health", "metrics", "models", "annotations"
    }  # fmt: skip
    assert set(types.__all__) == public


def test_a_type_checker_refuses_a_name_the_gateway_types_lack(tmp_path: Path) -> None:
    """The types load by name when first used (a module `__getattr__`), which a type checker reads as "any
    name is there": a misspelt name must still be an error for the user's mypy, as before they were lazy."""
    errors = mypy_errors(
        tmp_path,
        "import omnigate_openai.omnigate.types as gateway_types\n"
        "from omnigate_openai.omnigate.types import MetricsRespons, ModelInfo\n"
        "gateway_types.Helth\n"
        "info: int = ModelInfo\n",
    )
    assert errors == [
        'user.py:2: error: Module "omnigate_openai.omnigate.types" has no attribute "MetricsRespons"; '
        'maybe "MetricsResponse"?  [attr-defined]',
        'user.py:3: error: Module has no attribute "Helth"; maybe "Health"?  [attr-defined]',
        "user.py:4: error: Incompatible types in assignment (expression has type "
        '"type[ModelInfo]", variable has type "int")  [assignment]',
    ], errors


def test_each_module_of_the_gateway_types_is_an_attribute_before_it_is_imported() -> None:
    """As it was when the types loaded with the package: `types.metrics.MetricsResponse` without importing
    `types.metrics` first. A fresh interpreter, since this process has imported them all already."""
    code = (
        "import omnigate_openai.omnigate.types as t\n"
        "print(t.metrics.MetricsResponse.__name__, t.account.Me.__name__, t.api_keys.__name__)\n"
        "try:\n"
        "    t.billing\n"
        "except AttributeError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.splitlines() == [
        "MetricsResponse Me omnigate_openai.omnigate.types.api_keys",
        "module 'omnigate_openai.omnigate.types' has no attribute 'billing'",
    ], done.stderr


def test_models_are_openai_models() -> None:
    for name in types.__all__:
        exported = getattr(types, name)
        if isinstance(exported, type):
            assert issubclass(exported, openai.BaseModel), name


def test_budgets_are_decimals_and_times_are_datetimes() -> None:
    org = Org.construct(**recorded_json("admin_create_org_201", 0))
    assert org.daily_budget == Decimal("10.0000")
    assert isinstance(org.monthly_budget, Decimal)
    assert isinstance(org.created_at, datetime)
    assert org.created_at.utcoffset() is not None


def test_fields_a_newer_server_adds_are_kept() -> None:
    me = Me.construct(**recorded_json("meta_me", 3), spend_today="0.12", region="eu")
    assert me.spend_today == "0.12"  # type: ignore[attr-defined]
    assert me.model_dump()["region"] == "eu"


def test_an_unexpected_type_degrades_instead_of_failing() -> None:
    body = recorded_json("metrics_default", -1)
    body["totals"]["requests"] = "many"
    metrics = MetricsResponse.construct(**body)
    assert metrics.totals.requests == "many"  # kept as sent, like the SDK's own models


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (CreatedApiKey, recorded_json("keys_create_201", 1)),
        (Signup, recorded_json("meta_signup_201", 0)),
        (CreatedProject, recorded_json("admin_create_project_201", 1)),
    ],
)
def test_secrets_returned_once_stay_out_of_reprs(model: type, fields: dict[str, object]) -> None:
    made = model.construct(**{**fields, "api_key": SECRET})
    assert made.api_key == SECRET
    assert made.model_dump()["api_key"] == SECRET  # for the one place that must show it
    for text in (repr(made), str(made), f"{made}"):
        assert SECRET not in text
        assert "api_key='llmg_s3c***'" in text
