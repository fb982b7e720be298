"""What every gateway-only method shares, whatever the gateway: the SDK's pass-through options, auth, root URLs."""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypedDict

from ._sdk import Body, Headers, NotGiven, Query, SDKRequestOptions, Timeout, make_request_options, not_given

__all__ = ["Auth", "RequestOptions", "options", "root_url"]

Auth = Literal["gateway", "admin", "none"]
"""Which credential an endpoint needs: the gateway key, the operator's admin key, or none."""


class RequestOptions(TypedDict, total=False):
    """The SDK's per-call pass-through options, spelled once for every gateway method."""

    extra_headers: Headers | None
    """Send extra headers; they take precedence over the client's."""

    extra_query: Query | None
    """Add query parameters to the request."""

    extra_body: Body | None
    """Add JSON properties to the request body."""

    timeout: float | Timeout | NotGiven | None
    """Override the client's timeout for this call, in seconds."""


def options(
    request: RequestOptions,
    *,
    auth: Auth = "gateway",
    query: Query | None = None,
    headers: Headers | None = None,
) -> SDKRequestOptions:
    """The SDK's request options for one call.

    `auth` goes to the SDK as its security options: only `"gateway"` asks the client for its key
    (admin routes ignore the gateway key and `/v1/signup` and `/health` need none).
    """
    merged: dict[str, Any] = {**(headers or {}), **(request.get("extra_headers") or {})}
    return make_request_options(
        query=query,
        extra_headers=merged or None,
        extra_query=request.get("extra_query"),
        extra_body=request.get("extra_body"),
        timeout=request.get("timeout", not_given),
        security={"bearer_auth": True} if auth == "gateway" else {},
    )


def root_url(client: object, path: str) -> str:
    """An absolute URL under the server root (`/health`, `/version`), which lives outside `/v1`."""
    settings = getattr(client, "settings", None)
    root = getattr(settings, "root_url", None)
    if root is None:  # a plain `openai` client pointed at `<root>/v1/`
        root = str(getattr(client, "base_url", "")).rstrip("/").removesuffix("/v1")
    return f"{root}{path}"
