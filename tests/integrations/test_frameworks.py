"""Each major has the frameworks the issue lists, installed and tested; an exclusion is in the table."""

from __future__ import annotations

import importlib
import importlib.metadata
from pathlib import Path

import pytest

from ._frameworks import EXPECTED, FRAMEWORKS, OPENAI_MAJOR, Framework

HERE = Path(__file__).parent


def test_the_table_matches_what_each_major_must_have() -> None:
    for major, names in EXPECTED.items():
        assert {f.name for f in FRAMEWORKS if major in f.majors} == names
    assert all(f.why_not for f in FRAMEWORKS if f.majors != {2, 3}), "an exclusion needs a reason"


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.name)
def test_framework_is_installed_and_tested_under_this_major(framework: Framework) -> None:
    assert (HERE / framework.test_file).is_file()
    if OPENAI_MAJOR not in framework.majors:
        pytest.skip(f"{framework.name} is not tested under openai {OPENAI_MAJOR}: {framework.why_not}")
    importlib.import_module(framework.module)
    assert importlib.metadata.version(framework.distribution)


def test_each_requirements_file_pins_the_frameworks_of_its_major() -> None:
    for major in EXPECTED:
        pins = (HERE.parents[1] / "requirements" / f"openai{major}.txt").read_text()
        for framework in FRAMEWORKS:
            if major in framework.majors:
                assert f"\n{framework.distribution}" in pins, f"{framework.distribution} unpinned for openai {major}"
