"""`doctor`: configuration, reachability, key, provider keys, clock and version, one check at a time."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import openai

from .._client import OpenAI
from .._exceptions import ConfigurationError
from .._masking import masked_text
from ._render import Check, complete

__all__ = ["MAX_CLOCK_SKEW_S", "SUPPORTED_VERSION", "cli_words", "run_checks"]

SUPPORTED_VERSION = "0.2."
"""The OmniGate line this package speaks (`0.2.x`)."""

MAX_CLOCK_SKEW_S = 60.0
"""Beyond this, daily budgets and metrics windows start and end at surprising times."""

ClientFactory = Callable[[], OpenAI]


_SETTINGS = (
    # (what, the option, the environment variable, the client's argument)
    ("the gateway URL", "base_url", "OMNIGATE_BASE_URL", "--base-url"),
    ("a gateway key", "api_key", "OMNIGATE_API_KEY", "--api-key"),
    ("an admin key", "admin_key", "OMNIGATE_ADMIN_KEY", "--admin-key"),
)
_ARGUMENT = re.compile(r"`(base_url|api_key|admin_key)=`")


def cli_words(message: str) -> str:
    """A client message in the command line's terms: `api_key=` is the `--api-key` option here."""
    return _ARGUMENT.sub(lambda match: f"`--{match[1].replace('_', '-')}`", message)


def run_checks(
    make_client: ClientFactory,
    *,
    given: Mapping[str, str | None] | None = None,
    now: Callable[[], datetime] | None = None,
) -> list[Check]:
    """Every check in order; a check that cannot run because an earlier one failed is reported as failed.

    `given` holds the command line's own `base_url`, `api_key` and `admin_key` (None where not
    given), so that the report can say where each setting came from and name every missing one.
    """
    # A server or proxy may echo a key back in an error message: the keys this process holds are masked.
    return [Check(check.name, check.ok, masked_text(check.detail)) for check in _checks(make_client, given, now)]


def _checks(
    make_client: ClientFactory, given: Mapping[str, str | None] | None, now: Callable[[], datetime] | None
) -> list[Check]:
    now = now or (lambda: datetime.now(timezone.utc))
    given = given or {}
    try:
        client = make_client()
    except ConfigurationError as error:
        missing = _missing_settings(given)  # all of them at once, not only the first the client tripped on
        detail = "missing " + "; and ".join(missing) if missing else cli_words(str(error))
        return [Check("configuration", False, detail)]
    checks = [Check("configuration", True, _configuration(client, given))]
    with client:
        reachable = _reachable(client, now)
        checks.extend(reachable)
        if not reachable[0].ok:
            return checks
        checks.append(_version(client))
        checks.extend(_key_and_providers(client))
        if client.settings.admin_key is not None:
            checks.append(_admin(client))
    return checks


def _missing_settings(given: Mapping[str, str | None]) -> list[str]:
    """Every setting the client would refuse to start without: the URL, and a gateway or an admin key."""
    found = {name: bool(given.get(name) or os.environ.get(env)) for _, name, env, _ in _SETTINGS}
    missing = []
    for what, name, env, option in _SETTINGS[:2]:
        if not found[name] and not (name == "api_key" and found["admin_key"]):
            missing.append(f"{what} (pass {option} or set {env})")
    return missing


def _configuration(client: OpenAI, given: Mapping[str, str | None]) -> str:
    settings = client.settings
    url_from = "--base-url" if given.get("base_url") else "OMNIGATE_BASE_URL"
    key = settings.api_key.masked if settings.api_key is not None else "none"
    admin = ", admin key set" if settings.admin_key is not None else ""
    return f"gateway {settings.root_url} (from {url_from}), gateway key {key}{admin}"


def _reachable(client: OpenAI, now: Callable[[], datetime]) -> list[Check]:
    """`/health` answers `ok`; its `Date` header also tells how far apart the two clocks are."""
    try:
        raw = client.gateway.with_raw_response.health()
    except openai.APIConnectionError as error:
        return [Check("gateway reachable", False, str(error))]
    except openai.APIStatusError as error:
        return [Check("gateway reachable", False, f"/health answered {error.status_code}: {error}")]
    health = raw.parse()
    detail = f"/health at {client.settings.root_url} says {health.status!r}"
    reachable = Check("gateway reachable", health.status == "ok", detail)
    return [reachable, _clock(raw.headers.get("date"), now())]


def _clock(date_header: str | None, local: datetime) -> Check:
    skew = _clock_skew(date_header, local)
    if skew is None:
        return Check("clock", False, "the gateway sent no usable Date header to compare clocks with")
    detail = f"the gateway's clock differs from this machine's by {round(skew):+d} s"  # int: no "-0"
    if abs(skew) > MAX_CLOCK_SKEW_S:
        return Check("clock", False, f"{detail} (more than {MAX_CLOCK_SKEW_S:.0f} s: budgets and windows will be off)")
    return Check("clock", True, detail)


def _clock_skew(date_header: str | None, local: datetime) -> float | None:
    if not date_header:
        return None
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if server.tzinfo is None:  # `-0000`, no zone, or two Date headers joined: HTTP dates are GMT
        server = server.replace(tzinfo=timezone.utc)
    return (server - local).total_seconds()


def _version(client: OpenAI) -> Check:
    try:
        version = complete(client.gateway.version())
    except (openai.OpenAIError, ValueError) as error:
        return Check("version", False, str(error))
    detail = f"{version.name} {version.version}"
    if not version.version.startswith(SUPPORTED_VERSION):
        return Check("version", False, f"{detail}; this package speaks OmniGate {SUPPORTED_VERSION}x")
    return Check("version", True, detail)


def _key_and_providers(client: OpenAI) -> list[Check]:
    if client.settings.api_key is None:
        return [Check("gateway key", False, "no gateway key: pass --api-key or set OMNIGATE_API_KEY")]
    try:
        me = complete(client.gateway.me())
    except (openai.OpenAIError, ValueError) as error:
        return [Check("gateway key", False, str(error))]
    key = Check("gateway key", True, f"valid for project {me.project_name!r} ({me.project_id})")
    if not me.configured_providers:
        return [key, Check("provider keys", False, "none stored: add one with `omnigate-openai provider-keys set`")]
    return [key, Check("provider keys", True, ", ".join(me.configured_providers))]


def _admin(client: OpenAI) -> Check:
    try:
        orgs = client.gateway.admin.orgs.list()
    except openai.OpenAIError as error:
        return Check("admin key", False, str(error))
    return Check("admin key", True, f"accepted; {len(orgs)} organisation{'s' if len(orgs) != 1 else ''}")
