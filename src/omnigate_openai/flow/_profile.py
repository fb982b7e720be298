"""FlowProfile: the Flow / Manifest platform gateway's answers to the questions `GatewayProfile` asks.

A LiteLLM-based, OpenAI-compatible gateway: tools, `response_format` and embeddings are native (no
emulation, nothing refused; `verbosity` is native for the GPT-5 family and said in the system message
for every other model), model names are `provider/model` and pass through unchanged, the credential
is a renewable JWT (or an `fl_` API key), and errors come in several envelopes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._exceptions import APIError, ProviderError
from .._profile import EnvNames, GatewayProfile
from .._sdk import httpx
from . import _errors
from ._judged_names import judged_model_name
from ._reasoning import why_no_reasoning_effort
from ._verbosity import litellm_forwards_verbosity
from ._wire import API_KEY_HEADER, API_PATH, ENV_AUTH_TOKEN, ENV_BASE_URL, REQUEST_ID_HEADER, WORKSPACE_HEADER

if TYPE_CHECKING:
    from .._config import Settings

__all__ = ["FLOW", "FlowProfile"]


class FlowProfile(GatewayProfile):
    """Flow: bearer JWT renewed on a 401 (or `X-API-Key`), workspace header, tolerant error envelopes."""

    name = "The Flow gateway"
    api_path = API_PATH
    env = EnvNames(api_key=ENV_AUTH_TOKEN, base_url=ENV_BASE_URL)
    default_model = "openai/gpt-4o-mini"  # OmniGate's default, named as LiteLLM routes it
    emulates_tools = False  # LiteLLM passes `tools` and `response_format` to the provider
    secret_headers = frozenset({API_KEY_HEADER})  # the `fl_` key: masked in reprs and pickled errors

    def emulates_verbosity_for(self, model: object) -> bool:
        # LiteLLM passes `verbosity` on for the GPT-5 family only; any other model's is refused
        # (`UnsupportedParamsError`) or dropped under `drop_params`: said in the system message instead.
        return not litellm_forwards_verbosity(model)

    def why_no_reasoning_effort(self, model: object) -> str | None:
        return why_no_reasoning_effort(model)

    def judged_model_name(self, model: str) -> str:
        return judged_model_name(model)

    def auth_headers(self, settings: Settings, *, bearer_auth: bool) -> dict[str, str]:
        """The API key when there is one (the platform prefers it, so the token is not sent), else the token."""
        if not bearer_auth:
            return {}
        if settings.api_key is not None:
            return {API_KEY_HEADER: settings.api_key.reveal()}
        token = getattr(settings, "token", None)
        return {} if token is None else {"Authorization": f"Bearer {token.secret.reveal()}"}

    def default_headers(self, settings: Settings) -> dict[str, str]:
        headers = {}
        workspace, request_id = getattr(settings, "workspace_id", None), getattr(settings, "request_id", None)
        if workspace is not None:
            headers[WORKSPACE_HEADER] = workspace
        if request_id is not None:
            headers[REQUEST_ID_HEADER] = request_id
        return headers

    def refresh_credentials(self, settings: Settings, error: APIError) -> bool:
        stale = _expired_token(settings, error)
        return stale is not None and settings.token.renew(stale)  # type: ignore[attr-defined]

    async def arefresh_credentials(self, settings: Settings, error: APIError) -> bool:
        stale = _expired_token(settings, error)
        return stale is not None and await settings.token.arenew(stale)  # type: ignore[attr-defined]

    def status_error(self, response: httpx.Response, body: object) -> APIError:
        return _errors.status_error(response, body)

    def stream_error(self, response: httpx.Response, failure: Mapping[str, object]) -> APIError:
        return _errors.stream_error(response, failure)

    def gateway(self, client: Any) -> Any:
        from .resources import FlowGateway

        return FlowGateway(client)

    def async_gateway(self, client: Any) -> Any:
        from .resources import AsyncFlowGateway

        return AsyncFlowGateway(client)


def _expired_token(settings: Settings, error: APIError) -> str | None:
    """The bearer token a call was refused with (401), if the client can renew it; else None."""
    token = getattr(settings, "token", None)
    if error.status_code != 401 or isinstance(error, ProviderError) or token is None or not token.can_refresh:
        return None  # a provider's refusal (LiteLLM's words) is not about the platform token
    headers = error.response.request.headers
    if API_KEY_HEADER in headers:  # refused by its API key: a new token would not be looked at
        return None
    scheme, _, sent = headers.get("authorization", "").partition(" ")
    return sent if scheme.lower() == "bearer" and sent else None


FLOW = FlowProfile()
"""The one Flow profile every Flow client shares (profiles hold no per-client state)."""
