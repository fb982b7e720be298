"""`signup()`: OmniGate's self-service sign-up without a client or a key, for scripts and the CLI.

It builds a client itself, so it sits above `_client.py`; the resources it calls do not import the client.
"""

from __future__ import annotations

from .._client import OpenAI
from .types.account import Signup

__all__ = ["signup"]


def signup(
    email: str,
    *,
    base_url: str | None = None,
    org_name: str | None = None,
    project_name: str = "Default",
) -> Signup:
    """Sign up without a client or a key: `OMNIGATE_BASE_URL` (or `base_url=`) names the gateway."""
    with OpenAI(base_url=base_url, _enforce_credentials=False) as client:
        return client.gateway.signup(email, org_name=org_name, project_name=project_name)
