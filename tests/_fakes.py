"""Key-shaped test data, assembled at run time.

The repository's secret scan reads source text and flags anything shaped like a gateway or
provider key; a fake key written out in a test would hide a real one among false alarms. Tests
build their fakes here instead, so the scan only ever flags what matters.
"""

from __future__ import annotations

__all__ = ["fake_key"]


def fake_key(prefix: str, body: str) -> str:
    """`fake_key("llmg_", "abc...")`: a key of the given provider's shape that no provider issued."""
    return prefix + body
