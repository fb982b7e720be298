"""The Flow package's shape: its public names, and a local gateway that knows nothing of the client."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import omnigate_openai
from omnigate_openai import flow

TESTING = Path(omnigate_openai.__file__).parent / "testing"
FLOW_DOUBLE = sorted(TESTING.glob("_flow_*.py"))


def test_all_lists_every_public_name() -> None:
    public = {name for name, value in vars(flow).items() if not name.startswith("_")}
    public -= {name for name in public if isinstance(vars(flow)[name], types.ModuleType)}
    public.discard("annotations")
    assert set(flow.__all__) == public


def test_the_flow_sdk_names_are_the_package_classes() -> None:
    assert flow.GatewayAuthError is omnigate_openai.AuthError
    assert flow.GatewayClientError is omnigate_openai.APIError
    assert flow.GatewayProviderError is omnigate_openai.ProviderError


def test_the_local_flow_gateway_imports_no_client_code() -> None:
    """A test double that shared the client's facts would agree with the client even when both are wrong."""
    assert len(FLOW_DOUBLE) == 4
    for path in FLOW_DOUBLE:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("omnigate_openai"):
                home = node.module.split(".")[:2]
                assert home == ["omnigate_openai", "testing"], f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("omnigate_openai"), f"{path.name} imports {alias.name}"
