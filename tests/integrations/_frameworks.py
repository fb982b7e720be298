"""Which frameworks are tested in which environment: one table, asserted by `test_frameworks.py`.

The two shared environments are `openai3` and `openai2` (requirements/openai<major>.txt). A
framework whose pins conflict with theirs gets its own venv, named after it (requirements/<env>.txt,
built and run by `make test`), where only its own tests run. A framework's tests (and examples) are
excluded from an environment only through this table, never by an import that happens to fail.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import openai

OPENAI_MAJOR = int(openai.__version__.split(".")[0])
SHARED = ("openai3", "openai2")


@dataclass(frozen=True)
class Framework:
    name: str
    distribution: str
    """The pip name, as pinned in requirements/<env>.txt."""
    module: str
    """What the tests import."""
    test_file: str
    envs: frozenset[str]
    why_not: str = ""
    """Why the framework is not tested in (both of) the shared environments."""


BOTH = frozenset(SHARED)
FRAMEWORKS = (
    Framework("langchain", "langchain-openai", "langchain_openai", "test_langchain.py", BOTH),
    Framework("openai-agents", "openai-agents", "agents", "test_openai_agents.py", BOTH),
    Framework("pydantic-ai", "pydantic-ai-slim", "pydantic_ai", "test_pydantic_ai.py", BOTH),
    Framework(
        "instructor",
        "instructor",
        "instructor",
        "test_instructor.py",
        frozenset({"openai2"}),
        "instructor 1.x needs openai<3",
    ),
    Framework(
        "llama-index",
        "llama-index-llms-openai-like",
        "llama_index.llms.openai_like",
        "test_llama_index.py",
        frozenset({"openai2"}),
        "llama-index-llms-openai-like>=0.8 needs openai<3",
    ),
    Framework("langgraph", "langgraph", "langgraph.prebuilt", "test_langgraph.py", BOTH),
    Framework("haystack", "haystack-ai", "haystack", "test_haystack.py", BOTH),
    Framework("smolagents", "smolagents", "smolagents", "test_smolagents.py", BOTH),
    Framework("autogen", "autogen-ext", "autogen_ext.models.openai", "test_autogen.py", BOTH),
    Framework(
        "mirascope",
        "mirascope",
        "mirascope.llm",
        "test_mirascope.py",
        frozenset({"openai2"}),
        "mirascope 2.x needs openai<3",
    ),
    Framework(
        "crewai",
        "crewai",
        "crewai",
        "test_crewai.py",
        frozenset({"crewai"}),
        "crewai 1.15 needs openai<3, pydantic<2.13 and instructor<1.16",
    ),
    Framework(
        "semantic-kernel",
        "semantic-kernel",
        "semantic_kernel",
        "test_semantic_kernel.py",
        frozenset({"semantic-kernel"}),
        "semantic-kernel 1.45 needs pydantic<2.14",
    ),
    Framework(
        "marvin",
        "marvin",
        "marvin",
        "test_marvin.py",
        frozenset({"marvin"}),
        "marvin 3 needs the full pydantic-ai (every provider's SDK), older than the shared venvs' pydantic-ai-slim",
    ),
    Framework(
        "dspy",
        "dspy",
        "dspy",
        "test_dspy.py",
        frozenset({"dspy"}),
        "dspy and litellm are a big stack (boto3, aiohttp, tokenizers); botocore pins python-dateutil<3",
    ),
    Framework(
        "litellm", "litellm", "litellm", "test_litellm.py", frozenset({"dspy"}), "installed with dspy, which needs it"
    ),
)

OWN_ENVS = tuple(sorted({env for f in FRAMEWORKS for env in f.envs} - set(SHARED)))
"""The framework venvs beside the shared ones: `make test` builds each and runs its tests."""

EXPECTED = {
    "openai3": {"langchain", "openai-agents", "pydantic-ai", "langgraph", "haystack", "smolagents", "autogen"},
    "openai2": {
        "langchain",
        "openai-agents",
        "pydantic-ai",
        "instructor",
        "llama-index",
        "langgraph",
        "haystack",
        "smolagents",
        "autogen",
        "mirascope",
    },
    "crewai": {"crewai"},
    "semantic-kernel": {"semantic-kernel"},
    "marvin": {"marvin"},
    "dspy": {"dspy", "litellm"},
}
"""What each environment must have installed and tested: the issues' list, checked against `FRAMEWORKS`."""


def _environment() -> str:
    """The venv's directory name when it is one of ours (`.venvs/<env>`), else the shared env of this major."""
    name = Path(sys.prefix).name
    return name if name in EXPECTED else f"openai{OPENAI_MAJOR}"


ENV = _environment()


def runs_here(name: str) -> bool:
    return ENV in next(f for f in FRAMEWORKS if f.name == name).envs
