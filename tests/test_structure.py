"""The seam holds: the package imports without cycles, and OmniGate's wire facts live only in `omnigate/`.

A gateway's knowledge in the core is what made a second gateway an edit of twenty files; these
checks keep it out. The local gateway (`testing/`) is exempt: it is an independent double of the
server and must write the protocol down on its own.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from _mypy import mypy_errors

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "omnigate_openai"

WIRE_LITERALS = (
    "x-api-key",
    "x-admin-key",
    "x-user-id",
    "x-llmgw-",
    "x-budget-",
    "x-ratelimit-",
    "/v1/chat",
    "[error]",
)
"""Header names, paths and stream markers of OmniGate's wire protocol. (`/chat/completions` alone is
OpenAI's own path, which the SDK's chat resource posts to and every gateway serves: not listed.)"""

OUTSIDE_THE_PROFILE = ("omnigate", "testing")
"""Subpackages allowed to hold them: the OmniGate profile, and the local gateway (the server's double)."""

SDK_FACTS = {"/chat/completions": "_sdk.py"}
"""OpenAI's own route, which OmniGate shares: named once more, in the module of the SDK's facts (every
gateway's chat calls post there; tool emulation and the guard read it from there)."""


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _subpackage(name: str) -> str:
    """`omnigate_openai.omnigate._wire` -> `omnigate`; a module of the core -> its own name."""
    return name.split(".")[1] if "." in name else ""


def _module_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules `name` imports when it is imported: not under TYPE_CHECKING, not inside functions."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If):
                test = node.test
                if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
                    visit(node.orelse)
                    continue
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name in known)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                for alias in node.names:  # `from . import _errors` imports a module
                    if f"{target}.{alias.name}" in known:
                        found.add(f"{target}.{alias.name}")
                if target in known and target != package:
                    found.add(target)

    visit(ast.parse(path.read_text()).body)
    found.discard(name)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)) is not None:
            return found
    return None


def test_no_module_level_import_cycle() -> None:
    """Module-level imports between the package's modules form no cycle (a package's own `__init__`,
    which Python imports before any of its modules, is counted only where it is imported by name)."""
    modules = _modules()
    graph = {name: _module_level_imports(name, path, set(modules)) for name, path in modules.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or ())


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    """Each module, imported before any other of the package, imports: no order-dependent cycle hides."""
    names = [
        name
        for name in _modules()
        if not name.startswith(("omnigate_openai.integrations.", "omnigate_openai.cli.__main__"))
    ]
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'omnigate_openai' or m.startswith('omnigate_openai.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {exc!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("literal", WIRE_LITERALS)
def test_omnigate_wire_literals_live_only_in_its_package(literal: str) -> None:
    holders = [
        str(path.relative_to(PACKAGE))
        for name, path in _modules().items()
        if _subpackage(name) not in OUTSIDE_THE_PROFILE and literal in path.read_text()
    ]
    assert holders == ([SDK_FACTS[literal]] if literal in SDK_FACTS else [])


def test_what_only_some_calls_need_loads_with_the_first_of_them() -> None:
    """Tool emulation (the prompt and the answer's reader), the gateway-only answer types (and their pydantic
    base), the patch and its openai-agents hook, `ModelRoute` and `StoredResponse` (a dataclass each: ~1 ms
    apiece to define) and the native route's streams cost `import omnigate_openai` about half its time (bench:
    the import row): each loads with its first use, and works when it does, under its public name."""
    lazy = [
        "omnigate_openai._emulated_call",
        "omnigate_openai._tool_prompt",
        "omnigate_openai._tool_reply",
        "omnigate_openai._emulated_stream",
        "omnigate_openai.omnigate.types._base",
        "omnigate_openai.omnigate.types.metrics",
        "omnigate_openai.omnigate.types.admin",
        "omnigate_openai.integrations.patch",
        "omnigate_openai.integrations._agents_tracing",
        "omnigate_openai.omnigate._model_route",
        "omnigate_openai._stored_response",
        "omnigate_openai.omnigate._streams",
    ]
    probe = (
        "import sys, omnigate_openai; "
        f"print([name for name in {lazy!r} if name in sys.modules]); "
        "from omnigate_openai.omnigate.types import MetricsResponse; "
        "from omnigate_openai._emulation import emulation_for; "
        "from omnigate_openai._sdk import FinalRequestOptions; "
        "from omnigate_openai import ModelRoute, NativeChatStream, StoredResponse, patch_openai, unpatch_openai; "
        "client = omnigate_openai.OpenAI(api_key='k', base_url='http://127.0.0.1:9/v1'); "
        "tools = [{'type': 'function', 'function': {'name': 'f', 'parameters': {'type': 'object'}}}]; "
        "body = {'model': 'gpt-4o', 'messages': [{'role': 'user', 'content': 'hi'}], 'tools': tools}; "
        "options = FinalRequestOptions.construct(method='post', url='/chat/completions', json_data=body); "
        "print(type(emulation_for(options, client._settings)).__name__, MetricsResponse.__name__); "
        "print(repr(ModelRoute('m', 'm', None, False)), StoredResponse.__module__, ModelRoute.__module__); "
        "print(patch_openai.__name__, unpatch_openai.__name__, omnigate_openai.patch_openai is patch_openai); "
        "print(NativeChatStream.__module__, omnigate_openai.AsyncNativeChatStream.__module__); "
        f"print([name for name in {lazy!r} if name in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    loaded = [name for name in lazy if "emulated_stream" not in name and "admin" not in name and "agents" not in name]
    assert done.stdout.splitlines() == [
        "[]",
        "EmulatedCall MetricsResponse",
        "ModelRoute(model='m', gateway_model='m', provider=None, key_configured=False) omnigate_openai omnigate_openai",
        "patch_openai unpatch_openai True",
        "omnigate_openai omnigate_openai",
        repr(loaded),
    ]


def test_the_names_that_load_on_first_use_are_listed_before_it() -> None:
    """`dir()` (what an editor's or a REPL's completion offers) lists every public name, as it did when
    `ModelRoute`, `StoredResponse`, the patch and the native streams loaded with the package: a fresh
    interpreter, since this process has loaded them all."""
    probe = (
        "import omnigate_openai, omnigate_openai.omnigate.types as types; "
        "print(sorted(set(omnigate_openai.__all__) - set(dir(omnigate_openai))), "
        "sorted(set(types.__all__) - set(dir(types))), 'metrics' in dir(types), 'Lmits' in dir(omnigate_openai))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == ["[] [] True False"]


def test_importing_the_package_defines_only_the_dataclasses_its_users_see() -> None:
    """A dataclass costs ~1 ms to define (under Python 3.11 each of its six methods is compiled from text at import),
    a NamedTuple ~0.3 ms: `import omnigate_openai` defines only the dataclasses its users read (the metadata) or
    extend (`Settings`, which a profile may subclass); private value types are NamedTuples."""
    probe = (
        "import dataclasses, sys, omnigate_openai; "
        "found = {v.__qualname__ for m, module in list(sys.modules.items()) if m.startswith('omnigate_openai') "
        "for v in vars(module).values() if isinstance(v, type) and dataclasses.is_dataclass(v) "
        "and v.__module__.startswith('omnigate_openai')}; "
        "print(sorted(found))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == [repr(["BudgetStatus", "GatewayMeta", "RateLimitStatus", "Settings"])]


def test_a_plain_chat_call_loads_none_of_what_only_other_calls_need() -> None:
    """A chat completion, plain and streamed, through the local gateway: the gateway-only types, the routes,
    stored responses, the native route's streams and the patch stay unloaded (the checks of an answer's shape
    ask only whether the gateway types are loaded)."""
    unneeded = [
        "omnigate_openai.omnigate.types",
        "omnigate_openai.omnigate.types._base",
        "omnigate_openai.omnigate._model_route",
        "omnigate_openai._stored_response",
        "omnigate_openai.integrations.patch",
        "omnigate_openai.omnigate._streams",
    ]
    probe = (
        "import sys, omnigate_openai\n"
        "from omnigate_openai.testing import LocalGateway\n"
        "with LocalGateway() as gw:\n"
        "    client = omnigate_openai.OpenAI(api_key=gw.api_key, base_url=gw.base_url)\n"
        "    messages = [{'role': 'user', 'content': 'hi'}]\n"
        "    done = client.chat.completions.create(model='gpt-4o-mini', messages=messages)\n"
        "    chunks = list(client.chat.completions.create(model='gpt-4o-mini', messages=messages, stream=True))\n"
        "    print(omnigate_openai.meta(done).provider, len(chunks) > 1)\n"
        f"print([name for name in {unneeded!r} if name in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == ["openai True", "[]"]


def test_importing_the_package_leaves_what_a_call_may_never_need_unloaded() -> None:
    """The JSON Schema validators (~60 ms) load on the first schema checked, the SDK's chat resource (~20 ms) on
    the first `client.chat` (as plain openai loads it), the guard on the first guard name or `with_guard`:
    `import omnigate_openai` stays cheap (bench: the import row)."""
    heavy = ["jsonschema", "fastjsonschema", "openai.resources.chat.completions.completions", "omnigate_openai.guard"]
    probe = (
        "import sys, omnigate_openai; "
        f"print([name for name in {heavy!r} if name in sys.modules]); "
        "client = omnigate_openai.OpenAI(api_key='k', base_url='http://127.0.0.1:9/v1'); client.chat.completions; "
        f"print([name for name in {heavy!r} if name in sys.modules]); "
        "client.with_guard(omnigate_openai.Guard(limits=omnigate_openai.Limits(max_calls=1))); "
        f"print([name for name in {heavy!r} if name in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    chat = "openai.resources.chat.completions.completions"
    assert done.stdout.splitlines() == ["[]", f"[{chat!r}]", f"[{chat!r}, 'omnigate_openai.guard']"]


def test_a_type_checker_refuses_a_name_the_package_lacks(tmp_path: Path) -> None:
    """The guard's names and `signup` load on first use (the package's `__getattr__`), which a type checker
    reads as "any name is there": a misspelt name must still be an error for the user's mypy."""
    errors = mypy_errors(
        tmp_path,
        "import omnigate_openai\n"
        "from omnigate_openai import Gaurd, Guard, signup\n"
        "omnigate_openai.Limts\n"
        "limits: int = omnigate_openai.Limits\n",
    )
    assert errors == [
        'user.py:2: error: Module "omnigate_openai" has no attribute "Gaurd"; maybe "Guard"?  [attr-defined]',
        'user.py:3: error: Module has no attribute "Limts"; maybe "Limits"?  [attr-defined]',
        'user.py:4: error: Incompatible types in assignment (expression has type "type[Limits]", '
        'variable has type "int")  [assignment]',
    ], errors
