"""The Flow / Manifest platform AI gateway: `openai.OpenAI` with the platform's auth, errors and discovery.

    from omnigate_openai import flow

    client = flow.OpenAI()      # PLATFORM_API_URL, AUTH_TOKEN
    client.chat.completions.create(model="openai/gpt-4o", messages=[...])
    client.gateway.providers()

Everything Flow-specific lives in this package: `_wire.py` (variables, paths, headers),
`_settings.py` and `_token.py` (credentials and their renewal), `_errors.py` (envelopes -> typed
errors), `_profile.py` (the answers the core asks for), `resources.py` and `types.py` (discovery).
The error classes are the package's own, under the Flow SDK's names too (`GatewayAuthError`, ...).
"""

from __future__ import annotations

from .._exceptions import APIError as APIError
from .._exceptions import AuthError as AuthError
from .._exceptions import ConfigurationError as ConfigurationError
from .._exceptions import ConnectionError as ConnectionError
from .._exceptions import GatewayAuthError as GatewayAuthError
from .._exceptions import GatewayClientError as GatewayClientError
from .._exceptions import GatewayError as GatewayError
from .._exceptions import GatewayModelNotFoundError as GatewayModelNotFoundError
from .._exceptions import GatewayProviderError as GatewayProviderError
from .._exceptions import GatewayRateLimitError as GatewayRateLimitError
from .._exceptions import ModelNotFoundError as ModelNotFoundError
from .._exceptions import ProviderError as ProviderError
from .._exceptions import RateLimitError as RateLimitError
from .._exceptions import UnsupportedFeatureError as UnsupportedFeatureError
from ._client import AsyncOpenAI as AsyncOpenAI
from ._client import OpenAI as OpenAI
from ._profile import FLOW as FLOW
from ._profile import FlowProfile as FlowProfile
from ._wire import ENV_AUTH_TOKEN as ENV_AUTH_TOKEN
from ._wire import ENV_BASE_URL as ENV_BASE_URL
from .types import ProviderModel as ProviderModel
from .types import ProviderModels as ProviderModels
from .types import Providers as Providers

__all__ = [
    "ENV_AUTH_TOKEN",
    "ENV_BASE_URL",
    "FLOW",
    "APIError",
    "AsyncOpenAI",
    "AuthError",
    "ConfigurationError",
    "ConnectionError",
    "FlowProfile",
    "GatewayAuthError",
    "GatewayClientError",
    "GatewayError",
    "GatewayModelNotFoundError",
    "GatewayProviderError",
    "GatewayRateLimitError",
    "ModelNotFoundError",
    "OpenAI",
    "ProviderError",
    "ProviderModel",
    "ProviderModels",
    "Providers",
    "RateLimitError",
    "UnsupportedFeatureError",
]
