"""A credential echoed in an error answer is masked in every spelling JSON gives it, and only there."""

from __future__ import annotations

import json

import pytest

from _fakes import fake_key
from omnigate_openai._masking import masked_in

KEY = fake_key("sk-", "ab/cd_Jz-0123")
"""With a `/` (which JSON may write `\\/`) and characters whose `\\u` escape has hex letters (`k`, `-`, `_`, `J`)."""


def _every(text: str) -> str:
    return "".join(f"\\u{ord(char):04X}" for char in text)


@pytest.mark.parametrize(
    ("given", "masked"),
    [
        (f"bad {KEY}!", "bad [secure]!"),
        (f"bad {_every(KEY)}!", "bad [secure]!"),
        (f"bad {_every(KEY).lower()}!", "bad [secure]!"),
        ("bad " + "".join(c if i % 2 else _every(c) for i, c in enumerate(KEY)) + "!", "bad [secure]!"),
        ("bad " + KEY.replace("/", "\\/") + "!", "bad [secure]!"),
        (json.dumps(json.dumps(KEY.replace("/", "\\/"))), '"\\"[secure]\\""'),  # JSON in a JSON string
        (f"\\\\{KEY}", "\\\\[secure]"),  # an escaped backslash, then the key
        (f"\\\\{_every(KEY)}", "[secure]"),  # the key's escape, escaped again
        (f"C:\\{KEY}", "C:\\[secure]"),  # no JSON: the key right after a backslash
        (f"\\n{KEY[1:]}", f"\\n{KEY[1:]}"),  # a newline and the key's tail: no key
        (f"{KEY[:-1]}\\u0034", f"{KEY[:-1]}\\u0034"),  # the last character differs
        (f"{KEY.upper()}", f"{KEY.upper()}"),  # letters are not matched in another case
    ],
)
def test_every_json_spelling_of_a_key_is_masked(given: str, masked: str) -> None:
    assert masked_in(given, [KEY]) == masked
    assert masked_in({"detail": given}, [KEY]) == {"detail": masked}
