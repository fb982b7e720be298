"""The pytest plugin, under its documented name.

It lives in the top-level module `omnigate_openai_pytest`, which the `pytest11` entry point loads:
a module inside `omnigate_openai` would import the package, and with it the openai SDK, in every
pytest run of any environment that has the package installed.
"""

from __future__ import annotations

from omnigate_openai_pytest import *  # noqa: F403
from omnigate_openai_pytest import __all__ as __all__
