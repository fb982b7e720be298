"""Endpoints a gateway lacks fail clearly: refused before sending, for every method of every resource.

The fact (which SDK resources a gateway lacks) is its profile's (`GatewayProfile.unsupported_endpoints`);
the refusal is here, once, in the request hook every call passes (`create`, `list`, `with_raw_response`,
`with_streaming_response` alike), so nothing reaches a gateway that would answer a bare `404 Not Found`
or `405 Method Not Allowed`.
"""

from __future__ import annotations

from ._exceptions import UnsupportedFeatureError
from ._profile import GatewayProfile
from ._sdk import FinalRequestOptions

__all__ = ["refuse_lacked_endpoint"]


def refuse_lacked_endpoint(profile: GatewayProfile, options: FinalRequestOptions) -> None:
    """`UnsupportedFeatureError` naming the endpoint and the gateway, if the gateway lacks this call's endpoint."""
    resource = profile.lacked_endpoint(options)
    if resource is None:
        return
    endpoint = f"{options.method.upper()} {profile.api_path}/{options.url.lstrip('/')}"
    raise UnsupportedFeatureError(
        f"{profile.name} does not serve `{resource}` (`{endpoint}`): the gateway has no such route, "
        "so nothing was sent.",
        field=resource,
    )
