"""`omnigate-openai`: the gateway's own APIs from the terminal (needs the `cli` extra: typer and rich)."""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

from .._extras import install_hint

__all__ = ["MISSING_EXTRA", "app", "main"]

MISSING_EXTRA = f"error: the command line needs the `cli` extra: {install_hint('cli')}"


def main() -> None:
    """The `omnigate-openai` console script; without the `cli` extra, one line on stderr and status 1."""
    if any(importlib.util.find_spec(name) is None for name in ("typer", "rich")):
        print(MISSING_EXTRA, file=sys.stderr)
        raise SystemExit(1)
    from ._commands import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":  # imported on use, so that `main` can say what is missing instead of a traceback
        from ._commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
