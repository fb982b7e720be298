"""Operator APIs (`/v1/admin/*`): organisations, projects and org-wide metrics, with `x-admin-key`."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, List  # noqa: UP035 - see _LIST_OF_* below
from urllib.parse import quote

from typing_extensions import Unpack

from ..._request_options import RequestOptions, options
from ..._sdk import (
    AsyncAPIResource,
    SDKRequestOptions,
    SyncAPIResource,
    async_to_raw_response_wrapper,
    async_to_streamed_response_wrapper,
    cached_property,
    to_raw_response_wrapper,
    to_streamed_response_wrapper,
)
from .._credentials import admin_headers
from ..types.admin import CreatedProject, Org, Project
from ..types.metrics import Granularity, GroupBy, MetricsRange, MetricsResponse
from .metrics import Instant, metrics_query

__all__ = ["Admin", "AsyncAdmin", "AsyncOrgs", "AsyncProjects", "Budget", "Orgs", "Projects"]

# `typing.List`, not `list[...]`: on Python 3.10 `inspect.isclass(list[X])` is true, and the SDK's
# `issubclass(cast_to, ...)` check then fails.
_LIST_OF_ORG: Any = List[Org]  # noqa: UP006
_LIST_OF_PROJECT: Any = List[Project]  # noqa: UP006

Budget = Decimal | int | str
"""USD, sent as given (`Decimal` as its exact text); 0 means unlimited."""

_MAX_NAME = 255
_MAX_BUDGET = Decimal("99999999.9999")
"""The most a `Numeric(12,4)` budget column holds."""
_BUDGET_STEP = Decimal("0.0001")
"""The finest amount it holds: a budget finer than that would be stored rounded."""


class Admin(SyncAPIResource):
    """For operators: every call sends `x-admin-key` (`admin_key=` or `OMNIGATE_ADMIN_KEY`), not the gateway key."""

    @cached_property
    def orgs(self) -> Orgs:
        """Organisations: create, list, and their metrics."""
        return Orgs(self._client)

    @cached_property
    def projects(self) -> Projects:
        """Projects: create (returns the project's key once) and list."""
        return Projects(self._client)

    @cached_property
    def with_raw_response(self) -> AdminWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return AdminWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AdminWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return AdminWithStreamingResponse(self)


class AsyncAdmin(AsyncAPIResource):
    """For operators: every call sends `x-admin-key` (`admin_key=` or `OMNIGATE_ADMIN_KEY`), not the gateway key."""

    @cached_property
    def orgs(self) -> AsyncOrgs:
        """Organisations: create, list, and their metrics."""
        return AsyncOrgs(self._client)

    @cached_property
    def projects(self) -> AsyncProjects:
        """Projects: create (returns the project's key once) and list."""
        return AsyncProjects(self._client)

    @cached_property
    def with_raw_response(self) -> AsyncAdminWithRawResponse:
        """Each method, returning the raw HTTP response (headers, status) with `.parse()`."""
        return AsyncAdminWithRawResponse(self)

    @cached_property
    def with_streaming_response(self) -> AsyncAdminWithStreamingResponse:
        """Each method, as a context manager over the unread response."""
        return AsyncAdminWithStreamingResponse(self)


class Orgs(SyncAPIResource):
    """Organisations (`/v1/admin/orgs`)."""

    def create(
        self,
        name: str,
        *,
        daily_budget: Budget | None = None,
        monthly_budget: Budget | None = None,
        **request: Unpack[RequestOptions],
    ) -> Org:
        """Create an organisation; budgets in USD, 0 (the default) meaning unlimited."""
        body = _org_body(name, daily_budget, monthly_budget)
        return self._post("/admin/orgs", body=body, options=_admin(self._client, request), cast_to=Org)

    def list(self, **request: Unpack[RequestOptions]) -> list[Org]:
        """Every organisation, oldest first."""
        return self._get("/admin/orgs", options=_admin(self._client, request), cast_to=_LIST_OF_ORG)

    def metrics(
        self,
        org_id: str,
        *,
        range: MetricsRange | None = None,
        from_: Instant | None = None,
        to: Instant | None = None,
        group_by: GroupBy | None = None,
        granularity: Granularity | None = None,
        **request: Unpack[RequestOptions],
    ) -> MetricsResponse:
        """The metrics of every project of an organisation; same arguments as `client.gateway.metrics()`."""
        query = metrics_query(range=range, from_=from_, to=to, group_by=group_by, granularity=granularity)
        path = _org_metrics_path(org_id)
        return self._get(path, options=_admin(self._client, request, query=query), cast_to=MetricsResponse)


class AsyncOrgs(AsyncAPIResource):
    """Organisations (`/v1/admin/orgs`)."""

    async def create(
        self,
        name: str,
        *,
        daily_budget: Budget | None = None,
        monthly_budget: Budget | None = None,
        **request: Unpack[RequestOptions],
    ) -> Org:
        """Create an organisation; budgets in USD, 0 (the default) meaning unlimited."""
        body = _org_body(name, daily_budget, monthly_budget)
        return await self._post("/admin/orgs", body=body, options=_admin(self._client, request), cast_to=Org)

    async def list(self, **request: Unpack[RequestOptions]) -> list[Org]:
        """Every organisation, oldest first."""
        return await self._get("/admin/orgs", options=_admin(self._client, request), cast_to=_LIST_OF_ORG)

    async def metrics(
        self,
        org_id: str,
        *,
        range: MetricsRange | None = None,
        from_: Instant | None = None,
        to: Instant | None = None,
        group_by: GroupBy | None = None,
        granularity: Granularity | None = None,
        **request: Unpack[RequestOptions],
    ) -> MetricsResponse:
        """The metrics of every project of an organisation; same arguments as `client.gateway.metrics()`."""
        query = metrics_query(range=range, from_=from_, to=to, group_by=group_by, granularity=granularity)
        path = _org_metrics_path(org_id)
        return await self._get(path, options=_admin(self._client, request, query=query), cast_to=MetricsResponse)


class Projects(SyncAPIResource):
    """Projects (`/v1/admin/projects`)."""

    def create(
        self,
        org_id: str,
        name: str,
        *,
        daily_budget: Budget | None = None,
        monthly_budget: Budget | None = None,
        rate_limit_per_min: int | None = None,
        **request: Unpack[RequestOptions],
    ) -> CreatedProject:
        """Create a project in `org_id`; the answer holds its gateway key, shown once (60 requests/min by default)."""
        body = _project_body(org_id, name, daily_budget, monthly_budget, rate_limit_per_min)
        return self._post("/admin/projects", body=body, options=_admin(self._client, request), cast_to=CreatedProject)

    def list(self, *, org_id: str | None = None, **request: Unpack[RequestOptions]) -> list[Project]:
        """Every project, or those of `org_id`; never their keys."""
        built = _admin(self._client, request, query=_org_filter(org_id))
        return self._get("/admin/projects", options=built, cast_to=_LIST_OF_PROJECT)


class AsyncProjects(AsyncAPIResource):
    """Projects (`/v1/admin/projects`)."""

    async def create(
        self,
        org_id: str,
        name: str,
        *,
        daily_budget: Budget | None = None,
        monthly_budget: Budget | None = None,
        rate_limit_per_min: int | None = None,
        **request: Unpack[RequestOptions],
    ) -> CreatedProject:
        """Create a project in `org_id`; the answer holds its gateway key, shown once (60 requests/min by default)."""
        body = _project_body(org_id, name, daily_budget, monthly_budget, rate_limit_per_min)
        built = _admin(self._client, request)
        return await self._post("/admin/projects", body=body, options=built, cast_to=CreatedProject)

    async def list(self, *, org_id: str | None = None, **request: Unpack[RequestOptions]) -> list[Project]:
        """Every project, or those of `org_id`; never their keys."""
        built = _admin(self._client, request, query=_org_filter(org_id))
        return await self._get("/admin/projects", options=built, cast_to=_LIST_OF_PROJECT)


def _admin(client: object, request: RequestOptions, *, query: dict[str, str] | None = None) -> SDKRequestOptions:
    return options(request, auth="admin", query=query, headers=admin_headers(client))


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > _MAX_NAME:
        raise ValueError(f"Expected a name of 1 to {_MAX_NAME} characters, got {name!r}")


def _check_id(what: str, value: str) -> str:
    """The gateway's ids are UUIDs; anything else would be sent only to come back as a 422."""
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise ValueError(f"Expected {what} as a UUID, got {value!r}") from None


def _budget(what: str, value: Budget) -> object:
    """Budgets travel as JSON numbers (int) or exact decimal text, never as binary floats.

    The gateway keeps them in a `Numeric(12,4)` column (protocol §0.1): `"1e9999"` is a finite decimal
    that no column holds, and would fail there after the request was sent; `"0.00004"` would be stored
    rounded to 0, which means unlimited.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ValueError(f"Expected {what} as a Decimal, int or decimal text in USD, got {value!r}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"Expected {what} as a decimal amount in USD, got {value!r}") from None
    if not amount.is_finite() or not 0 <= amount <= _MAX_BUDGET:
        raise ValueError(f"Expected {what} from 0 to {_MAX_BUDGET} USD (0 means unlimited), got {value!r}")
    if amount != amount.quantize(_BUDGET_STEP):  # the column would round it: "0.00004" to 0, unlimited
        raise ValueError(
            f"Expected {what} in whole ten-thousandths of a USD (the gateway keeps 4 decimal places), got {value!r}"
        )
    return str(value) if isinstance(value, Decimal) else value


def _org_body(name: str, daily: Budget | None, monthly: Budget | None) -> dict[str, object]:
    _check_name(name)
    body: dict[str, object] = {"name": name}
    if daily is not None:
        body["daily_budget"] = _budget("daily_budget", daily)
    if monthly is not None:
        body["monthly_budget"] = _budget("monthly_budget", monthly)
    return body


def _project_body(
    org_id: str, name: str, daily: Budget | None, monthly: Budget | None, rate_limit: int | None
) -> dict[str, object]:
    body: dict[str, object] = {"org_id": _check_id("org_id", org_id), **_org_body(name, daily, monthly)}
    if rate_limit is not None:
        if isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 1:
            raise ValueError(f"Expected rate_limit_per_min as an int >= 1, got {rate_limit!r}")
        body["rate_limit_per_min"] = rate_limit
    return body


def _org_filter(org_id: str | None) -> dict[str, str] | None:
    return None if org_id is None else {"org_id": _check_id("org_id", org_id)}


def _org_metrics_path(org_id: str) -> str:
    return f"/admin/orgs/{quote(_check_id('org_id', org_id), safe='')}/metrics"


class AdminWithRawResponse:
    def __init__(self, admin: Admin) -> None:
        self.orgs = OrgsWithRawResponse(admin.orgs)
        self.projects = ProjectsWithRawResponse(admin.projects)


class AsyncAdminWithRawResponse:
    def __init__(self, admin: AsyncAdmin) -> None:
        self.orgs = AsyncOrgsWithRawResponse(admin.orgs)
        self.projects = AsyncProjectsWithRawResponse(admin.projects)


class AdminWithStreamingResponse:
    def __init__(self, admin: Admin) -> None:
        self.orgs = OrgsWithStreamingResponse(admin.orgs)
        self.projects = ProjectsWithStreamingResponse(admin.projects)


class AsyncAdminWithStreamingResponse:
    def __init__(self, admin: AsyncAdmin) -> None:
        self.orgs = AsyncOrgsWithStreamingResponse(admin.orgs)
        self.projects = AsyncProjectsWithStreamingResponse(admin.projects)


class OrgsWithRawResponse:
    def __init__(self, orgs: Orgs) -> None:
        self.create = to_raw_response_wrapper(orgs.create)
        self.list = to_raw_response_wrapper(orgs.list)
        self.metrics = to_raw_response_wrapper(orgs.metrics)


class AsyncOrgsWithRawResponse:
    def __init__(self, orgs: AsyncOrgs) -> None:
        self.create = async_to_raw_response_wrapper(orgs.create)
        self.list = async_to_raw_response_wrapper(orgs.list)
        self.metrics = async_to_raw_response_wrapper(orgs.metrics)


class OrgsWithStreamingResponse:
    def __init__(self, orgs: Orgs) -> None:
        self.create = to_streamed_response_wrapper(orgs.create)
        self.list = to_streamed_response_wrapper(orgs.list)
        self.metrics = to_streamed_response_wrapper(orgs.metrics)


class AsyncOrgsWithStreamingResponse:
    def __init__(self, orgs: AsyncOrgs) -> None:
        self.create = async_to_streamed_response_wrapper(orgs.create)
        self.list = async_to_streamed_response_wrapper(orgs.list)
        self.metrics = async_to_streamed_response_wrapper(orgs.metrics)


class ProjectsWithRawResponse:
    def __init__(self, projects: Projects) -> None:
        self.create = to_raw_response_wrapper(projects.create)
        self.list = to_raw_response_wrapper(projects.list)


class AsyncProjectsWithRawResponse:
    def __init__(self, projects: AsyncProjects) -> None:
        self.create = async_to_raw_response_wrapper(projects.create)
        self.list = async_to_raw_response_wrapper(projects.list)


class ProjectsWithStreamingResponse:
    def __init__(self, projects: Projects) -> None:
        self.create = to_streamed_response_wrapper(projects.create)
        self.list = to_streamed_response_wrapper(projects.list)


class AsyncProjectsWithStreamingResponse:
    def __init__(self, projects: AsyncProjects) -> None:
        self.create = async_to_streamed_response_wrapper(projects.create)
        self.list = async_to_streamed_response_wrapper(projects.list)
