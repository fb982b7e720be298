"""`python -m omnigate_openai.cli`."""

from __future__ import annotations

from . import main

main()
