"""Clients for loopback tests: no TLS verification set-up, since they only ever speak plain HTTP.

Loading the CA bundle costs ~80 ms per client, which over a few hundred clients is most of the suite.
"""

from __future__ import annotations

from typing import Any

import openai

from omnigate_openai._sdk import httpx


def http_client(**options: Any) -> httpx.Client:
    return httpx.Client(verify=False, **options)


def sdk_client(**options: Any) -> openai.OpenAI:
    options.setdefault("http_client", httpx.Client(verify=False))
    return openai.OpenAI(**options)


def async_sdk_client(**options: Any) -> openai.AsyncOpenAI:
    options.setdefault("http_client", httpx.AsyncClient(verify=False))
    return openai.AsyncOpenAI(**options)
