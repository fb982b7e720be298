"""The one place that knows which `openai` major is installed.

openai 3.x speaks `httpx2`, openai 2.x speaks `httpx`; the two have the same API. Everything
else in the package imports `httpx` from here, so the choice of major stays at this edge.
"""

from __future__ import annotations

import openai

OPENAI_MAJOR: int = int(openai.__version__.split(".", 1)[0])

# Both may be installed side by side; the SDK's own major decides which one it speaks.
if OPENAI_MAJOR >= 3:
    import httpx2 as httpx  # type: ignore[import-not-found, unused-ignore]
else:
    import httpx  # type: ignore[import-not-found, no-redef, unused-ignore]

__all__ = ["OPENAI_MAJOR", "httpx"]
