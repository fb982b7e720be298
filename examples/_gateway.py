"""What every example shares: the gateway in `OMNIGATE_BASE_URL`, or a local one started in-process.

    with configured_gateway() as gateway:
        print(gateway.where)
        client = gateway.client()          # omnigate_openai.OpenAI
        async_client = gateway.async_client()

With `OMNIGATE_BASE_URL` set, clients read `OMNIGATE_API_KEY` (and `OMNIGATE_USER_ID`) as usual.
Without it, a local OmniGate gateway (a test double whose offline provider answers
"Hello there! How can I help?"; needs the `testing` extra) runs until the block ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from omnigate_openai import AsyncOpenAI, OpenAI

if TYPE_CHECKING:
    from omnigate_openai.testing import LocalGateway

EXAMPLE_USER = "examples"
"""The `x-user-id` the examples send, unless `OMNIGATE_USER_ID` says otherwise."""


@dataclass(frozen=True)
class Gateway:
    where: str
    """A sentence saying which gateway the example talks to."""
    settings: dict[str, str] = field(repr=False)
    """The client arguments for a local gateway; empty for a configured one (the environment has them)."""
    local: LocalGateway | None = None
    """The local gateway, when that is what runs: its `faults` make the next calls fail on purpose."""

    @property
    def api_key(self) -> str | None:
        """The gateway key the clients use (to show, for instance, that a cassette doesn't hold it)."""
        return self.settings.get("api_key") or os.environ.get("OMNIGATE_API_KEY")

    def client(self, **options: Any) -> OpenAI:
        return OpenAI(**self.options(**options))

    def async_client(self, **options: Any) -> AsyncOpenAI:
        return AsyncOpenAI(**self.options(**options))

    def options(self, **options: Any) -> dict[str, Any]:
        """The client arguments: this gateway's URL and key (a local one), the examples' user id, `options`."""
        user = {} if os.environ.get("OMNIGATE_USER_ID") else {"user_id": EXAMPLE_USER}
        return {**user, **self.settings, **options}


@contextmanager
def configured_gateway(*, local_reply: str | None = None) -> Iterator[Gateway]:
    """The configured gateway if `OMNIGATE_BASE_URL` is set, else a local one for the duration of the block.

    `local_reply` is what the local gateway's offline provider answers (a real model needs no script).
    """
    base_url = os.environ.get("OMNIGATE_BASE_URL")
    if base_url:
        yield Gateway(f"the gateway at {base_url} (OMNIGATE_BASE_URL)", {})
        return
    from omnigate_openai.testing import LocalGateway

    with LocalGateway(**({} if local_reply is None else {"reply": local_reply})) as local:
        where = f"a local gateway at {local.base_url} (set OMNIGATE_BASE_URL to use yours)"
        yield Gateway(where, {"base_url": local.base_url, "api_key": local.api_key}, local=local)
