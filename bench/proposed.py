"""The shim with issue 9's speed-ups wired in exactly as proposed for `_client.py`: the "(proposed)" rows.

`_FastSDK` sits under the shim's hooks in the MRO, where the SDK builds response models, so the
shim's hook still normalises finish reasons first and attaches metadata after. Once the core
carries the wiring (`omnigate_openai._client` imports `construct_fast`), these rows are dropped.
"""

from __future__ import annotations

from typing import Any

import openai
from openai._base_client import AsyncHttpxClientWrapper, SyncHttpxClientWrapper

import omnigate_openai
from omnigate_openai._fast_models import construct_fast
from omnigate_openai._sdk import httpx
from omnigate_openai._tls import http_client_sharing_tls

__all__ = ["ProposedAsyncOpenAI", "ProposedOpenAI", "already_wired"]


def already_wired() -> bool:
    import omnigate_openai._client as core

    return hasattr(core, "construct_fast")


def _same_url(url: object, text: object) -> bool:
    return isinstance(url, httpx.URL) and isinstance(text, str) and str(url).rstrip("/") == text.rstrip("/")


class _ParsedBaseURL:
    """Copies hand the SDK the parent's parsed `base_url` (an `httpx.URL`) instead of the string, as plain
    openai's own `copy` does: parsing it again is most of what a copy costs. Proposed for `_client.py` as
    two edits (see README.bench.md); emulated here from outside the shim's hooks."""

    base_url: Any
    _parsed_base_url: Any = None

    def copy(self, *, base_url: Any = None, **options: Any) -> Any:
        if _same_url(self.base_url, base_url):
            base_url = self.base_url
        return super().copy(base_url=base_url, **options)  # type: ignore[misc]

    def __init__(self, *, base_url: Any = None, **options: Any) -> None:
        parsed = self.__dict__.pop("_parsed_base_url", None)
        if _same_url(parsed, base_url):
            base_url = parsed
        super().__init__(base_url=base_url, **options)  # type: ignore[call-arg]


class _FastSDK(_ParsedBaseURL, openai.OpenAI):
    def _process_response_data(self, *, data: object, cast_to: type[Any], response: Any) -> Any:
        result = None if self._strict_response_validation else construct_fast(cast_to, data)
        if result is None:
            return super()._process_response_data(data=data, cast_to=cast_to, response=response)
        return result


class _AsyncFastSDK(_ParsedBaseURL, openai.AsyncOpenAI):
    def _process_response_data(self, *, data: object, cast_to: type[Any], response: Any) -> Any:
        result = None if self._strict_response_validation else construct_fast(cast_to, data)
        if result is None:
            return super()._process_response_data(data=data, cast_to=cast_to, response=response)
        return result


class ProposedOpenAI(omnigate_openai.OpenAI, _FastSDK):  # type: ignore[misc]
    def __init__(self, **options: Any) -> None:
        if options.get("http_client") is None and "base_url" in options:
            timeout = options.get("timeout", openai.NOT_GIVEN)
            options["http_client"] = http_client_sharing_tls(
                SyncHttpxClientWrapper, base_url=options["base_url"], timeout=timeout
            )
        if isinstance(options.get("base_url"), httpx.URL):
            self._parsed_base_url = options["base_url"]
        super().__init__(**options)


class ProposedAsyncOpenAI(omnigate_openai.AsyncOpenAI, _AsyncFastSDK):  # type: ignore[misc]
    def __init__(self, **options: Any) -> None:
        if options.get("http_client") is None and "base_url" in options:
            timeout = options.get("timeout", openai.NOT_GIVEN)
            options["http_client"] = http_client_sharing_tls(
                AsyncHttpxClientWrapper, base_url=options["base_url"], timeout=timeout
            )
        if isinstance(options.get("base_url"), httpx.URL):
            self._parsed_base_url = options["base_url"]
        super().__init__(**options)
