"""`doctor`'s checks that need control over time or configuration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from omnigate_openai import OpenAI
from omnigate_openai.cli._doctor import MAX_CLOCK_SKEW_S, _clock, _clock_skew, run_checks


def test_clock_skew_from_the_date_header() -> None:
    local = datetime(2026, 11, 23, 7, 0, 0, tzinfo=timezone.utc)
    assert _clock_skew("Mon, 23 Nov 2026 07:00:30 GMT", local) == 30.0
    assert _clock_skew(None, local) is None
    assert _clock_skew("not a date", local) is None


def test_a_clock_a_fraction_of_a_second_off_reads_plus_zero() -> None:
    """The Date header counts whole seconds, so a gateway in step reads a fraction behind: "+0 s", not "-0 s"."""
    header = "Mon, 23 Nov 2026 07:00:00 GMT"
    for local, shown in (
        (datetime(2026, 11, 23, 7, 0, 0, 400_000, tzinfo=timezone.utc), "+0"),
        (datetime(2026, 11, 23, 6, 59, 59, 700_000, tzinfo=timezone.utc), "+0"),
        (datetime(2026, 11, 23, 7, 0, 1, 600_000, tzinfo=timezone.utc), "-2"),
    ):
        check = _clock(header, local)
        assert check.ok
        assert check.detail == f"the gateway's clock differs from this machine's by {shown} s"


def test_a_skewed_clock_fails_the_clock_check(local_gateway: Any) -> None:
    def client() -> OpenAI:
        return OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key)

    def late() -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=MAX_CLOCK_SKEW_S * 3)

    checks = run_checks(client, now=late)
    by_name = {check.name: check for check in checks}
    assert by_name["gateway reachable"].ok
    assert not by_name["clock"].ok
    assert "differs from this machine's by -" in by_name["clock"].detail
