"""Everything OmniGate: the first gateway profile, as one package.

Where to look: `_wire.py` (header names, paths, message texts), `_credentials.py` (the headers it sets),
`_errors.py` (how an answer is classified), `_retries.py`, `_requests.py` and `_routing.py` (what is
refused, rewritten or routed), `_answers.py` and `_native.py` (answers made OpenAI-shaped),
`_metadata.py` (response headers), `_stream_dialects.py` and `_streams.py` (its two stream dialects),
`_pricing.py` (prices a call), `_endpoints.py` (what it serves), `resources/`, `types/` and `_model_route.py`
(`client.gateway`). `_profile.py` joins them into `OMNIGATE`, the profile the clients use.
"""

from __future__ import annotations

from ._profile import OMNIGATE as OMNIGATE
from ._profile import OmniGateProfile as OmniGateProfile

__all__ = ["OMNIGATE", "OmniGateProfile"]
