"""A local OmniGate 0.2.0 gateway for tests: every endpoint, both stream dialects, faults on demand.

    from omnigate_openai.testing import LocalGateway

    with LocalGateway() as gw:
        client = openai.OpenAI(base_url=gw.base_url, api_key=gw.api_key)
        gw.faults.provider_error(429, times=3)
        ...

It never calls a real provider: replies come from a deterministic offline provider. It needs the
`testing` extra (`pip install '.[testing]'` in a clone; see the README's Install). The names below
load on first use, so the pytest plugin in this package starts even where the extra is not installed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omnigate_openai.testing._app import create_app as create_app
    from omnigate_openai.testing._calls import Call as Call
    from omnigate_openai.testing._calls import CallLog as CallLog
    from omnigate_openai.testing._cassettes import cassette_config as cassette_config
    from omnigate_openai.testing._faults import Faults as Faults
    from omnigate_openai.testing._faults import UpstreamFault as UpstreamFault
    from omnigate_openai.testing._flow_app import create_flow_app as create_flow_app
    from omnigate_openai.testing._flow_server import LocalFlowGateway as LocalFlowGateway
    from omnigate_openai.testing._flow_state import FlowFaults as FlowFaults
    from omnigate_openai.testing._model import Model as Model
    from omnigate_openai.testing._model import ModelRequest as ModelRequest
    from omnigate_openai.testing._model import ToolCall as ToolCall
    from omnigate_openai.testing._model import ToolResult as ToolResult
    from omnigate_openai.testing._model import ToolSpec as ToolSpec
    from omnigate_openai.testing._model import instance_of as instance_of
    from omnigate_openai.testing._server import LocalGateway as LocalGateway
    from omnigate_openai.testing._server import SeededProject as SeededProject
    from omnigate_openai.testing._server import run_server as run_server
    from omnigate_openai.testing._state import DEFAULT_REPLY as DEFAULT_REPLY
    from omnigate_openai.testing._state import GatewaySettings as GatewaySettings
    from omnigate_openai.testing._state import GatewayState as GatewayState
    from omnigate_openai.testing._state import UsageRecord as UsageRecord

_HOMES = {
    "create_app": "_app",
    "Call": "_calls",
    "CallLog": "_calls",
    "cassette_config": "_cassettes",
    "Faults": "_faults",
    "UpstreamFault": "_faults",
    "Model": "_model",
    "ModelRequest": "_model",
    "ToolCall": "_model",
    "ToolResult": "_model",
    "ToolSpec": "_model",
    "instance_of": "_model",
    "LocalGateway": "_server",
    "LocalFlowGateway": "_flow_server",
    "FlowFaults": "_flow_state",
    "create_flow_app": "_flow_app",
    "SeededProject": "_server",
    "run_server": "_server",
    "DEFAULT_REPLY": "_state",
    "GatewaySettings": "_state",
    "GatewayState": "_state",
    "UsageRecord": "_state",
}
_EXTRA_MODULES = frozenset({"starlette", "uvicorn"})


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(f"{__name__}.{home}")
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in _EXTRA_MODULES:
            raise
        raise ImportError(
            f"omnigate_openai.testing.{name} needs the 'testing' extra: pip install '.[testing]' in a clone of"
            " omnigate-openai (see the README's Install)"
        ) from exc
    value = getattr(module, name)
    if isinstance(value, type):
        value.__module__ = __name__  # shown as omnigate_openai.testing.LocalGateway, its public home
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "DEFAULT_REPLY",
    "cassette_config",
    "Call",
    "CallLog",
    "Faults",
    "FlowFaults",
    "GatewaySettings",
    "GatewayState",
    "LocalFlowGateway",
    "LocalGateway",
    "Model",
    "ModelRequest",
    "SeededProject",
    "ToolCall",
    "ToolResult",
    "ToolSpec",
    "UpstreamFault",
    "UsageRecord",
    "create_app",
    "create_flow_app",
    "instance_of",
    "run_server",
]
