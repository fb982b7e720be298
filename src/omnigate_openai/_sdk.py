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

from openai._base_client import BaseClient as BaseClient  # noqa: E402
from openai._models import FinalRequestOptions as FinalRequestOptions  # noqa: E402
from openai._models import SecurityOptions as SecurityOptions  # noqa: E402
from openai._types import Headers as Headers  # noqa: E402
from openai._types import Omit as Omit  # noqa: E402

__all__ = ["OPENAI_MAJOR", "BaseClient", "FinalRequestOptions", "Headers", "Omit", "SecurityOptions", "httpx"]

# The SDK's resource machinery, for the gateway-only resources (`client.gateway`): auth, retries,
# error typing and raw/streaming response wrappers come with it. Same names in openai 2.x and 3.x.
from openai._base_client import make_request_options as make_request_options  # noqa: E402
from openai._compat import cached_property as cached_property  # noqa: E402
from openai._legacy_response import (  # noqa: E402
    async_to_raw_response_wrapper as async_to_raw_response_wrapper,
)
from openai._legacy_response import to_raw_response_wrapper as to_raw_response_wrapper  # noqa: E402
from openai._resource import AsyncAPIResource as AsyncAPIResource  # noqa: E402
from openai._resource import SyncAPIResource as SyncAPIResource  # noqa: E402
from openai._response import (  # noqa: E402
    async_to_streamed_response_wrapper as async_to_streamed_response_wrapper,
)
from openai._response import to_streamed_response_wrapper as to_streamed_response_wrapper  # noqa: E402
from openai._types import Body as Body  # noqa: E402
from openai._types import NotGiven as NotGiven  # noqa: E402
from openai._types import Query as Query  # noqa: E402
from openai._types import not_given as not_given  # noqa: E402

__all__ += [
    "AsyncAPIResource",
    "Body",
    "Headers",
    "NotGiven",
    "Query",
    "SecurityOptions",
    "SyncAPIResource",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "cached_property",
    "make_request_options",
    "not_given",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]
from openai._types import RequestOptions as SDKRequestOptions  # noqa: E402

__all__ += ["SDKRequestOptions"]
# The httpx(2) `Timeout` class this major's SDK annotates with (openai re-exports it implicitly).
from openai._types import Timeout as Timeout  # type: ignore[attr-defined]  # noqa: E402

__all__ += ["Timeout"]
