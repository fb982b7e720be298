"""The calling project (`/v1/me`) and self-service sign-up (`/v1/signup`, no key needed)."""

from __future__ import annotations

from typing_extensions import Unpack

from ..._request_options import RequestOptions, options
from ..._sdk import AsyncAPIResource, SyncAPIResource
from ..types.account import Me, Signup

__all__ = ["AccountMethods", "AsyncAccountMethods"]

_MAX_TEXT = 255


class AccountMethods(SyncAPIResource):
    """`me()` and `signup()` of `client.gateway`."""

    def me(self, **request: Unpack[RequestOptions]) -> Me:
        """The project this key belongs to: ids, rate limit, budgets and which providers have keys."""
        return self._get("/me", options=options(request), cast_to=Me)

    def signup(
        self,
        email: str,
        *,
        org_name: str | None = None,
        project_name: str = "Default",
        **request: Unpack[RequestOptions],
    ) -> Signup:
        """Create an organisation and a project; the answer holds the project's key, shown once.

        Needs no gateway key, and is not de-duplicated: each call creates a new organisation.
        """
        body = _signup_body(email, org_name, project_name)
        return self._post("/signup", body=body, options=options(request, auth="none"), cast_to=Signup)


class AsyncAccountMethods(AsyncAPIResource):
    """`me()` and `signup()` of `client.gateway`."""

    async def me(self, **request: Unpack[RequestOptions]) -> Me:
        """The project this key belongs to: ids, rate limit, budgets and which providers have keys."""
        return await self._get("/me", options=options(request), cast_to=Me)

    async def signup(
        self,
        email: str,
        *,
        org_name: str | None = None,
        project_name: str = "Default",
        **request: Unpack[RequestOptions],
    ) -> Signup:
        """Create an organisation and a project; the answer holds the project's key, shown once.

        Needs no gateway key, and is not de-duplicated: each call creates a new organisation.
        """
        body = _signup_body(email, org_name, project_name)
        return await self._post("/signup", body=body, options=options(request, auth="none"), cast_to=Signup)


def _signup_body(email: str, org_name: str | None, project_name: str) -> dict[str, object]:
    if not isinstance(email, str) or not 3 <= len(email) <= _MAX_TEXT:
        raise ValueError(f"Expected an email of 3 to {_MAX_TEXT} characters, got {email!r}")
    if org_name is not None and (not isinstance(org_name, str) or len(org_name) > _MAX_TEXT):
        raise ValueError(f"Expected an org_name of at most {_MAX_TEXT} characters, got {org_name!r}")
    if not isinstance(project_name, str) or len(project_name) > _MAX_TEXT:
        raise ValueError(f"Expected a project_name of at most {_MAX_TEXT} characters, got {project_name!r}")
    body: dict[str, object] = {"email": email}
    if org_name is not None:  # the gateway names the org after the email otherwise
        body["org_name"] = org_name
    if project_name != "Default":  # the gateway's own default
        body["project_name"] = project_name
    return body
