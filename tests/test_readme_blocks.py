"""Every Python block of the README runs as written, against a local gateway (issue 13, item 15).

Each block runs alone in a fresh interpreter, with the environment the quickstart implies:
`OMNIGATE_BASE_URL`, `OMNIGATE_API_KEY` and `OMNIGATE_ADMIN_KEY` of a local gateway (reset before
each block). A block that defines pytest tests is run by pytest. Blocks are found anew on every
run, so sections added later are checked too. Two comments, on the line before a block, qualify it:

- `<!-- not-run: reason -->`: it cannot run offline (it would reach a real provider); it is still
  compiled, and the reason must say why;
- `<!-- requires: module, ... -->`: it runs where those modules import (frameworks that cannot be
  installed beside every openai major run in the environment that has them), else it is compiled.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from _fakes import fake_key

README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(r"(?:^<!--(?P<note>[^\n]*)-->\n)?^```python\n(?P<code>.*?)^```", re.S | re.M)
_NOT_RUN = re.compile(r"\s*not-run:\s*(?P<reason>\S.*?)\s*$")
_REQUIRES = re.compile(r"\s*requires:\s*(?P<modules>[\w., ]+?)\s*$")
TIMEOUT = 120


@dataclass(frozen=True)
class Block:
    line: int
    code: str
    note: str | None

    @property
    def not_run(self) -> str | None:
        found = _NOT_RUN.match(self.note or "")
        return found["reason"] if found else None

    @property
    def requires(self) -> list[str]:
        found = _REQUIRES.match(self.note or "")
        return [name.strip() for name in found["modules"].split(",")] if found else []


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def readme_blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    return [
        Block(text[: match.start("code")].count("\n"), match["code"], match["note"])
        for match in _BLOCK.finditer(text)
    ]


BLOCKS = readme_blocks()


def test_the_readme_has_python_blocks_and_few_are_not_run() -> None:
    assert len(BLOCKS) >= 20
    not_run = [block for block in BLOCKS if block.note is not None and block.not_run is None and not block.requires]
    assert not_run == [], "a comment before a block must be `not-run: <reason>` or `requires: <modules>`"
    assert sum(block.not_run is not None for block in BLOCKS) <= 3


@pytest.mark.parametrize("block", BLOCKS, ids=[f"README.md:{block.line}" for block in BLOCKS])
def test_a_readme_block_runs_as_written(block: Block, local_gateway: Any, tmp_path: Path) -> None:
    compile(block.code, f"README.md:{block.line}", "exec")
    if block.not_run is not None or not all(_importable(name) for name in block.requires):
        return
    env = {name: value for name, value in os.environ.items() if not name.startswith(("OMNIGATE_", "OPENAI_"))}
    env.update(
        OMNIGATE_BASE_URL=local_gateway.base_url,
        OMNIGATE_API_KEY=local_gateway.api_key,
        OMNIGATE_ADMIN_KEY=local_gateway.admin_key,
        ANTHROPIC_API_KEY=fake_key("sk-ant-", "readme-example-key"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(README.parent / "src"), env.get("PYTHONPATH")])),
    )
    if re.search(r"^def test_", block.code, re.M):
        (tmp_path / "test_readme_block.py").write_text(block.code, encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--record-mode=once", "."]
    else:
        command = [sys.executable, "-c", block.code]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, f"README.md:{block.line} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
