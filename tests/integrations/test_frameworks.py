"""Each environment has the frameworks the issues list, installed and tested; an exclusion is in the table."""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from pathlib import Path

import pytest

from ._frameworks import ENV, EXPECTED, FRAMEWORKS, OWN_ENVS, SHARED, Framework

HERE = Path(__file__).parent
ROOT = HERE.parents[1]


def test_the_table_matches_what_each_environment_must_have() -> None:
    for env, names in EXPECTED.items():
        assert {f.name for f in FRAMEWORKS if env in f.envs} == names
    assert all(f.why_not for f in FRAMEWORKS if f.envs != set(SHARED)), "an exclusion needs a reason"
    assert set(EXPECTED) == {*SHARED, *OWN_ENVS}


def test_every_framework_has_its_test_file() -> None:
    assert [f.test_file for f in FRAMEWORKS if not (HERE / f.test_file).is_file()] == []


@pytest.mark.parametrize("framework", [f for f in FRAMEWORKS if ENV in f.envs], ids=lambda f: f.name)
def test_framework_is_installed_here(framework: Framework) -> None:
    importlib.import_module(framework.module)
    assert importlib.metadata.version(framework.distribution)


def test_each_requirements_file_pins_the_frameworks_of_its_environment() -> None:
    for env in EXPECTED:
        pins = (ROOT / "requirements" / f"{env}.txt").read_text()
        for framework in FRAMEWORKS:
            if env in framework.envs:
                assert re.search(rf"^{re.escape(framework.distribution)}\b", pins, re.M), (
                    f"{framework.distribution} unpinned in requirements/{env}.txt"
                )


def test_make_test_builds_and_runs_every_framework_environment() -> None:
    makefile = (ROOT / "Makefile").read_text()
    declared = re.search(r"^FRAMEWORK_ENVS := (.*)$", makefile, re.M)
    assert declared is not None
    assert sorted(declared.group(1).split()) == sorted(OWN_ENVS)
