"""`omnigate-openai`: the gateway's own APIs from the terminal (needs the `cli` extra: typer and rich)."""

from __future__ import annotations

try:
    import rich as _rich  # noqa: F401
    import typer as _typer  # noqa: F401
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError("The command line needs the `cli` extra: pip install 'omnigate-openai[cli]'") from _missing

from ._commands import app as app

__all__ = ["app", "main"]


def main() -> None:
    """The `omnigate-openai` console script."""
    app()
