"""`omnigate_openai.testing` exports exactly its public names, and keeps its extras out of the core."""

from __future__ import annotations

import subprocess
import sys

import omnigate_openai.testing as testing


def test_all_lists_the_public_names_and_each_resolves() -> None:
    assert sorted(testing.__all__) == sorted(testing._HOMES)
    for name in testing.__all__:
        value = getattr(testing, name)
        if isinstance(value, type):
            assert value.__module__ == testing.__name__, name
    assert set(testing.__all__) <= set(dir(testing))


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)


def test_the_core_package_does_not_import_the_testing_extra() -> None:
    result = _run("import sys, omnigate_openai; print('starlette' in sys.modules or 'uvicorn' in sys.modules)")
    assert result.stdout.strip() == "False", result.stderr


def test_without_the_extra_the_package_imports_and_names_the_extra_on_use() -> None:
    block = "import sys; sys.modules['starlette'] = sys.modules['uvicorn'] = None; "
    plugin = _run(block + "import omnigate_openai.testing.pytest_plugin")
    assert plugin.returncode == 0, plugin.stderr
    gateway = _run(block + "from omnigate_openai.testing import LocalGateway")
    assert gateway.returncode != 0
    assert "needs the 'testing' extra: pip install '.[testing]' in a clone of omnigate-openai" in gateway.stderr
