"""The suite ignores a framework's warnings by message and by the module that raises them, never ours.

pyproject's `filterwarnings` silences LlamaIndex's pydantic deprecations (raised from `inspect`, where
its workflows read an agent's members, and from its structured LLM). The same warning raised from
this package must still be shown.
"""

from __future__ import annotations

import warnings

import pytest

LLAMA_INDEX_WARNINGS = [  # message, the module it is raised from
    ("The `__fields__` attribute is deprecated, use the `model_fields` class property instead.", "inspect"),
    ("The `__fields_set__` attribute is deprecated, use `model_fields_set` instead.", "inspect"),
    ("Accessing the 'model_fields' attribute on the instance is deprecated.", "inspect"),
    ("Accessing the 'model_computed_fields' attribute on the instance is deprecated.", "inspect"),
    ("The `json` method is deprecated; use `model_dump_json` instead.", "llama_index.core.llms.structured_llm"),
]


def _shown(message: str, module: str) -> bool:
    """Whether the suite's filters (active in this test) let a DeprecationWarning from `module` through."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.warn_explicit(message, DeprecationWarning, f"{module.replace('.', '/')}.py", 1, module=module)
    return len(seen) == 1


@pytest.mark.parametrize(("message", "module"), LLAMA_INDEX_WARNINGS)
def test_llama_index_deprecations_are_ignored(message: str, module: str) -> None:
    assert not _shown(message, module)


@pytest.mark.parametrize("message", [message for message, _ in LLAMA_INDEX_WARNINGS])
def test_the_same_warning_from_this_package_is_shown(message: str) -> None:
    assert _shown(message, "omnigate_openai.integrations.llama_index")


def test_every_ignore_names_a_message_and_a_module(pytestconfig: pytest.Config) -> None:
    ignored = [entry for entry in pytestconfig.getini("filterwarnings") if entry.startswith("ignore")]
    assert [entry for entry in ignored if "" in entry.split(":")[1:4:2]] == []
