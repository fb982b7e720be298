"""The one place that imports the SDK's private modules and knows which `openai` major is installed.

openai 3.x speaks `httpx2`, openai 2.x speaks `httpx`; the two have the same API. Everything else in
the package imports `httpx` and the SDK's internals from here, so a change of major or of an SDK
internal is a change of this file only. The names below exist under the same spelling in 2.x and 3.x.
"""

from __future__ import annotations

import openai

OPENAI_MAJOR: int = int(openai.__version__.split(".", 1)[0])
HTTPX2: bool = OPENAI_MAJOR >= 3
"""Both httpx and httpx2 may be installed side by side; the SDK's own major decides which it speaks.
(The type check is told the answer: `mypy --always-true HTTPX2` under 3.x, `--always-false` under 2.x.)"""

if HTTPX2:
    import httpx2 as httpx  # type: ignore[import-not-found, unused-ignore]
else:
    import httpx  # type: ignore[import-not-found, no-redef, unused-ignore]

# The client's base and its request options: the hooks `_client.py` overrides; its default HTTP clients.
from openai._base_client import AsyncHttpxClientWrapper as AsyncHttpxClientWrapper  # noqa: E402
from openai._base_client import BaseClient as BaseClient  # noqa: E402
from openai._base_client import SyncHttpxClientWrapper as SyncHttpxClientWrapper  # noqa: E402
from openai._base_client import make_request_options as make_request_options  # noqa: E402

# The SDK's lazily mounted sub-resources.
from openai._compat import cached_property as cached_property  # noqa: E402
from openai._compat import model_copy as model_copy  # noqa: E402

# Raw and streaming response wrappers for `client.gateway.with_raw_response` / `with_streaming_response`.
from openai._legacy_response import async_to_raw_response_wrapper as async_to_raw_response_wrapper  # noqa: E402
from openai._legacy_response import to_raw_response_wrapper as to_raw_response_wrapper  # noqa: E402
from openai._models import FinalRequestOptions as FinalRequestOptions  # noqa: E402
from openai._models import SecurityOptions as SecurityOptions  # noqa: E402

# The resource machinery the gateway-only APIs are built on: auth, retries and error typing come with it.
from openai._resource import AsyncAPIResource as AsyncAPIResource  # noqa: E402
from openai._resource import SyncAPIResource as SyncAPIResource  # noqa: E402
from openai._response import async_to_streamed_response_wrapper as async_to_streamed_response_wrapper  # noqa: E402
from openai._response import to_streamed_response_wrapper as to_streamed_response_wrapper  # noqa: E402
from openai._types import Body as Body  # noqa: E402
from openai._types import Headers as Headers  # noqa: E402
from openai._types import NotGiven as NotGiven  # noqa: E402
from openai._types import Omit as Omit  # noqa: E402
from openai._types import Query as Query  # noqa: E402
from openai._types import RequestOptions as SDKRequestOptions  # noqa: E402
from openai._types import Timeout as Timeout  # type: ignore[attr-defined]  # noqa: E402
from openai._types import not_given as not_given  # noqa: E402

__all__ = [
    "HTTPX2",
    "OPENAI_MAJOR",
    "AsyncAPIResource",
    "AsyncHttpxClientWrapper",
    "BaseClient",
    "Body",
    "FinalRequestOptions",
    "Headers",
    "NotGiven",
    "Omit",
    "Query",
    "SDKRequestOptions",
    "SecurityOptions",
    "SyncAPIResource",
    "SyncHttpxClientWrapper",
    "Timeout",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "cached_property",
    "httpx",
    "make_request_options",
    "model_copy",
    "not_given",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]
