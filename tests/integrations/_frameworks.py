"""Which frameworks are tested under which openai major: one table, asserted by `test_frameworks.py`.

A framework's tests (and examples) are excluded under a major only through this table, never by
an import that happens to fail.
"""

from __future__ import annotations

from dataclasses import dataclass

import openai

OPENAI_MAJOR = int(openai.__version__.split(".")[0])


@dataclass(frozen=True)
class Framework:
    name: str
    distribution: str
    """The pip name, as pinned in requirements/openai<major>.txt."""
    module: str
    """What the tests import."""
    test_file: str
    majors: frozenset[int]
    why_not: str = ""
    """Why the framework is not tested under the other major."""


FRAMEWORKS = (
    Framework("langchain", "langchain-openai", "langchain_openai", "test_langchain.py", frozenset({2, 3})),
    Framework("openai-agents", "openai-agents", "agents", "test_openai_agents.py", frozenset({2, 3})),
    Framework("pydantic-ai", "pydantic-ai-slim", "pydantic_ai", "test_pydantic_ai.py", frozenset({2, 3})),
    Framework(
        "instructor", "instructor", "instructor", "test_instructor.py", frozenset({2}), "instructor 1.x needs openai<3"
    ),
    Framework(
        "llama-index",
        "llama-index-llms-openai-like",
        "llama_index.llms.openai_like",
        "test_llama_index.py",
        frozenset({2}),
        "llama-index-llms-openai-like>=0.8 needs openai<3",
    ),
)

EXPECTED = {
    3: {"langchain", "openai-agents", "pydantic-ai"},
    2: {"langchain", "openai-agents", "pydantic-ai", "instructor", "llama-index"},
}
"""What each major must have installed and tested: the issue's list, checked against `FRAMEWORKS`."""


def runs_here(name: str) -> bool:
    return OPENAI_MAJOR in next(f for f in FRAMEWORKS if f.name == name).majors
