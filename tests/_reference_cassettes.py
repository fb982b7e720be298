"""The one loader of the reference cassettes (recorded from a real OmniGate 0.2.0) for every test directory."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

__all__ = ["REFERENCE_DIR", "interactions", "names"]

REFERENCE_DIR = Path(__file__).resolve().parent / "reference_cassettes"


@functools.cache
def _parsed(name: str) -> tuple[dict[str, Any], ...]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser where there is one: 112 files
    data = yaml.load((REFERENCE_DIR / f"{name}.yaml").read_text(encoding="utf-8"), Loader=loader)
    return tuple(data["interactions"])


def interactions(name: str) -> list[dict[str, Any]]:
    """The interactions of cassette `name` (without `.yaml`), parsed once per run; a fresh list each call."""
    import copy

    return copy.deepcopy(list(_parsed(name)))


def names() -> list[str]:
    """Every reference cassette's name, sorted."""
    return sorted(path.stem for path in REFERENCE_DIR.glob("*.yaml"))
