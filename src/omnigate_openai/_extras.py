"""How an error tells a user to install a missing extra: from a clone, until the package is on the index."""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """The install command for `extra`, as the README's "Install" section gives it."""
    return f"pip install '.[{extra}]' in a clone of omnigate-openai (see the README's Install)"
