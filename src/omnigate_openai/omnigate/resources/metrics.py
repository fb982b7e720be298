"""Usage metrics of the calling project (`/v1/metrics`), and the argument rules the gateway enforces."""

from __future__ import annotations

from datetime import datetime, timezone

from typing_extensions import Unpack

from ..._request_options import RequestOptions, options
from ..._sdk import AsyncAPIResource, SyncAPIResource
from ..types.metrics import Granularity, GroupBy, MetricsRange, MetricsResponse

__all__ = ["AsyncMetricsMethods", "MetricsMethods", "metrics_query"]

Instant = datetime | str
"""A timezone-aware `datetime`, or ISO-8601 text with an offset (`2026-01-01T00:00:00Z`)."""

RANGES: tuple[str, ...] = ("1h", "24h", "7d", "30d")
GROUP_BYS: tuple[str, ...] = ("provider", "model", "user", "status")
GRANULARITIES: tuple[str, ...] = ("minute", "hour", "day")


class MetricsMethods(SyncAPIResource):
    """`metrics()` of `client.gateway`."""

    def metrics(
        self,
        *,
        range: MetricsRange | None = None,
        from_: Instant | None = None,
        to: Instant | None = None,
        group_by: GroupBy | None = None,
        granularity: Granularity | None = None,
        **request: Unpack[RequestOptions],
    ) -> MetricsResponse:
        """Requests, tokens, spend, error and cache-hit rates and latency percentiles of this project.

        Give either `range` (`1h`, `24h`, `7d`, `30d`; `24h` when nothing is given) or `from_`
        (and optionally `to`, default now). The arguments are checked before sending, with the
        gateway's own messages.
        """
        query = metrics_query(range=range, from_=from_, to=to, group_by=group_by, granularity=granularity)
        return self._get("/metrics", options=options(request, query=query), cast_to=MetricsResponse)


class AsyncMetricsMethods(AsyncAPIResource):
    """`metrics()` of `client.gateway`."""

    async def metrics(
        self,
        *,
        range: MetricsRange | None = None,
        from_: Instant | None = None,
        to: Instant | None = None,
        group_by: GroupBy | None = None,
        granularity: Granularity | None = None,
        **request: Unpack[RequestOptions],
    ) -> MetricsResponse:
        """Requests, tokens, spend, error and cache-hit rates and latency percentiles of this project.

        Give either `range` (`1h`, `24h`, `7d`, `30d`; `24h` when nothing is given) or `from_`
        (and optionally `to`, default now). The arguments are checked before sending, with the
        gateway's own messages.
        """
        query = metrics_query(range=range, from_=from_, to=to, group_by=group_by, granularity=granularity)
        return await self._get("/metrics", options=options(request, query=query), cast_to=MetricsResponse)


def metrics_query(
    *,
    range: str | None,
    from_: Instant | None,
    to: Instant | None,
    group_by: str | None,
    granularity: str | None,
) -> dict[str, str]:
    """The query string of a metrics call, refused with the gateway's 422 message where it would refuse it."""
    if range is not None and (from_ is not None or to is not None):
        raise ValueError("'range' is mutually exclusive with 'from'/'to'")
    if range is not None and range not in RANGES:
        raise ValueError(f"invalid range {range!r}; expected one of {', '.join(RANGES)}")
    if to is not None and from_ is None:
        raise ValueError("'from' is required when 'to' is supplied")
    if group_by is not None and group_by not in GROUP_BYS:
        raise ValueError(f"invalid group_by; expected one of {', '.join(GROUP_BYS)}")
    if granularity is not None and granularity not in GRANULARITIES:
        raise ValueError(f"invalid granularity; expected one of {', '.join(GRANULARITIES)}")

    query: dict[str, str] = {}
    if range is not None:
        query["range"] = range
    if from_ is not None:
        start = _instant("from", from_)
        query["from"] = _wire_time(start)
        if to is not None:
            end = _instant("to", to)
            if end <= start:
                raise ValueError("'to' must be after 'from'")
            query["to"] = _wire_time(end)
    if group_by is not None:
        query["group_by"] = group_by
    if granularity is not None:
        query["granularity"] = granularity
    return query


def _instant(name: str, value: Instant) -> datetime:
    if isinstance(value, str):
        try:
            # Python 3.10's parser does not take `Z`; the gateway (3.11+) does.
            parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
        except ValueError:
            raise ValueError(f"Invalid isoformat string: {value!r}") from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise TypeError(f"Expected '{name}' as a datetime or ISO-8601 text, got {value!r}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        # The gateway's message for `from`; it has none for `to`, so that one shows what was given.
        raise ValueError(f"'{name}' must be timezone-aware" + ("" if name == "from" else f", got {value!r}"))
    return parsed


def _wire_time(moment: datetime) -> str:
    """UTC with `Z`: a `+` offset would arrive as a space after query-string decoding."""
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
