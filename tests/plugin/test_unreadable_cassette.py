"""A cassette file that cannot be read is an error naming the file and the way out, not a bare YAML parser error
whose only location is "<unicode string>", line 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnigate_openai.testing.pytest_plugin import Recorder


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("interactions: [ {request: ", "ParserError: while parsing a flow node"),
        ("version: 1\n", "KeyError: 'interactions'"),
    ],
    ids=["not-yaml", "no-interactions"],
)
@pytest.mark.parametrize("mode", ["none", "once"])
def test_an_unreadable_cassette_names_its_file(tmp_path: Path, content: str, reason: str, mode: str) -> None:
    (tmp_path / "broken.yaml").write_text(content)
    recorder = Recorder(cassette_dir=tmp_path, record_mode=mode)
    with pytest.raises(ValueError, match="cannot be read") as caught, recorder.use_cassette("broken"):
        pytest.fail("the block must not run")
    assert str(caught.value) == (
        f"Cassette {tmp_path / 'broken.yaml'} cannot be read ({reason}); record it anew with "
        "`pytest --record-mode=rewrite`"
    )


def test_an_error_inside_the_block_is_not_taken_for_an_unreadable_cassette(tmp_path: Path) -> None:
    recorder = Recorder(cassette_dir=tmp_path, record_mode="once")
    with pytest.raises(KeyError, match="raised by the test"), recorder.use_cassette("fine"):
        raise KeyError("raised by the test")
