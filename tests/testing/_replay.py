"""Replaying a reference cassette against the local gateway, and comparing what comes back.

A cassette holds a real OmniGate 0.2.0 server's traffic with its secrets redacted. Replaying means
sending the same requests in order, with each redacted key or recorded id replaced by the one the
local run obtained at the same place, then holding each answer to the recorded one: same status,
same header names, same body shape, equal values wherever the real server's are deterministic.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from _fakes import fake_key
from _reference_cassettes import interactions
from omnigate_openai._sdk import httpx
from omnigate_openai.testing import LocalGateway

from ._clients import http_client

CASSETTES = Path(__file__).resolve().parent.parent / "reference_cassettes"

PROVIDER_KEY = fake_key("sk-", "local-replay-key-0000")
BAD_PROVIDER_KEY = fake_key("sk-", "bad-openai-key-0000")  # the provider masks it as `sk-bad-o****0000`, as recorded
WRONG_ADMIN_KEY = "adm_not-the-configured-one"

_SENT_HEADERS = ("content-type", "x-api-key", "authorization", "x-admin-key", "x-user-id", "x-request-id")
_GATEWAY_KEY = re.compile(r"llmg_<redacted-(\d+)>")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Values the real server makes up per call: compared by shape, never by value.
_SHAPES = {
    "uuid": _UUID,
    "hex32": re.compile(r"[0-9a-f]{32}"),
    "chatcmpl": re.compile(r"chatcmpl-[0-9a-f]{24,32}"),
    "anthropic-id": re.compile(r"msg_01[0-9a-f]{24}"),
    "gemini-id": re.compile(r"[0-9a-f]{22}"),
    "gateway-key": re.compile(r"llmg_(<redacted-\d+>|[A-Za-z0-9_-]{43})"),
    "key-prefix": re.compile(r"llmg_[A-Za-z0-9_-]{7}"),
    "datetime": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})"),
}
_TIMING_FIELDS = frozenset(
    {"latency_ms", "avg_latency_ms", "p50_latency_ms", "p95_latency_ms", "p99_latency_ms", "created"}
)
_VOLATILE_HEADERS = frozenset({"date", "content-length", "x-ratelimit-remaining", "x-ratelimit-reset", "retry-after"})


class ReplayClock:
    """The recording's wall clock, running at real speed from the cassette's first `date` header.

    Usage then falls inside the recorded `from`/`to` windows, and a rate-limit minute does not roll
    over in the middle of a short replay that did not roll over when it was recorded.
    """

    def __init__(self) -> None:
        self._anchor = datetime.now(timezone.utc)
        self._offset = timedelta(0)

    def anchor(self, moment: datetime) -> None:
        self._offset = moment - datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset


@dataclass
class Cassette:
    name: str
    interactions: list[dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Cassette:
        return cls(path.stem, interactions(path.stem))

    @property
    def started_at(self) -> datetime:
        first = self.interactions[0]["response"]["headers"]["date"][0]
        return parsedate_to_datetime(first)


def all_cassettes() -> list[Path]:
    return sorted(CASSETTES.glob("*.yaml"))


@dataclass
class Secrets:
    """What the recording redacted or made up, mapped to what this local run obtained."""

    admin_key: str
    gateway_keys: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def substitute(self, text: str) -> str:
        text = text.replace("<redacted-admin-key:not-the-configured-one>", WRONG_ADMIN_KEY)
        text = text.replace("<redacted-admin-key>", self.admin_key)
        text = text.replace("<redacted-provider-key:starts-with-sk-bad>", BAD_PROVIDER_KEY)
        text = text.replace("<redacted-provider-key>", PROVIDER_KEY)
        text = _GATEWAY_KEY.sub(lambda m: self._gateway_key(m.group(1)), text)
        return _UUID.sub(lambda m: self.ids.get(m.group(0), m.group(0)), text)

    def _gateway_key(self, number: str) -> str:
        # A key the recording never minted (a bad key on purpose) becomes a well-formed unknown key.
        return self.gateway_keys.setdefault(number, "llmg_" + secrets.token_urlsafe(32))

    def learn(self, recorded: Any, local: Any) -> None:
        """Walk both bodies in step: recorded ids and keys map to the local ones at the same place."""
        if isinstance(recorded, dict) and isinstance(local, dict):
            for key in recorded.keys() & local.keys():
                self.learn(recorded[key], local[key])
        elif isinstance(recorded, list) and isinstance(local, list):
            for pair in zip(recorded, local, strict=False):
                self.learn(*pair)
        elif isinstance(recorded, str) and isinstance(local, str):
            key = _GATEWAY_KEY.fullmatch(recorded)
            if key is not None:
                self.gateway_keys[key.group(1)] = local
            elif _UUID.fullmatch(recorded) and _UUID.fullmatch(local):
                self.ids.setdefault(recorded, local)


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


def send(client: httpx.Client, interaction: dict[str, Any], known: Secrets) -> Answer:
    recorded = interaction["request"]
    url = urlsplit(known.substitute(recorded["uri"]))
    target = url.path + (f"?{url.query}" if url.query else "")
    headers = {
        name: known.substitute(values[0])
        for name, values in recorded["headers"].items()
        if name.lower() in _SENT_HEADERS
    }
    body = recorded["body"]
    content = known.substitute(body).encode() if body else None
    with client.stream(recorded["method"], target, headers=headers, content=content) as response:
        return Answer(response.status_code, response.headers, response.read())


def differences(interaction: dict[str, Any], answer: Answer, known: Secrets) -> Iterator[str]:
    """Every way the local answer departs from the recorded one (nothing, when faithful)."""
    recorded = interaction["response"]
    if answer.status != recorded["status"]["code"]:
        yield f"status {answer.status} != recorded {recorded['status']['code']}"
    recorded_headers = {name.lower(): values[0] for name, values in recorded["headers"].items()}
    local_names, recorded_names = set(answer.headers.keys()), set(recorded_headers)
    if local_names != recorded_names:
        yield f"headers: missing {sorted(recorded_names - local_names)}, extra {sorted(local_names - recorded_names)}"
    for name, value in recorded_headers.items():
        if (
            name in local_names
            and name not in _VOLATILE_HEADERS
            and not _same_value(value, answer.headers[name], known)
        ):
            yield f"header {name}: {answer.headers[name]!r} != recorded {value!r}"
    yield from _body_differences(recorded_headers.get("content-type", ""), recorded["body"]["string"], answer, known)


def _body_differences(content_type: str, recorded: str | bytes, answer: Answer, known: Secrets) -> Iterator[str]:
    recorded_text = recorded.decode() if isinstance(recorded, bytes) else recorded
    local_text = answer.body.decode()
    if content_type.startswith("application/json") and recorded_text:
        yield from _json_differences(json.loads(recorded_text), json.loads(local_text), known, "body")
    elif content_type.startswith("text/event-stream"):
        recorded_frames, local_frames = _frames(recorded_text), _frames(local_text)
        if len(recorded_frames) != len(local_frames):
            yield f"SSE: {len(local_frames)} frames != recorded {len(recorded_frames)}"
        for index, (mine, theirs) in enumerate(zip(local_frames, recorded_frames, strict=False)):
            if theirs == "[DONE]" or mine == "[DONE]":
                if mine != theirs:
                    yield f"SSE frame {index}: {mine!r} != recorded {theirs!r}"
            else:
                yield from _json_differences(json.loads(theirs), json.loads(mine), known, f"frame {index}")
    elif content_type.startswith("text/plain; version=0.0.4"):
        # Gateway-wide counters depend on all traffic so far; the series the server declares do not.
        if _declarations(recorded_text) != _declarations(local_text):
            yield "Prometheus HELP/TYPE lines differ"
    elif local_text != recorded_text:
        yield f"body {local_text[:200]!r} != recorded {recorded_text[:200]!r}"


def _frames(text: str) -> list[str]:
    if not text.endswith("\n\n"):
        return ["<unterminated stream>", text]
    return [chunk.removeprefix("data: ") for chunk in text[:-2].split("\n\n")]


def _declarations(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.startswith("#")}


def _json_differences(recorded: Any, local: Any, known: Secrets, where: str) -> Iterator[str]:
    if isinstance(recorded, dict):
        if not isinstance(local, dict) or list(local) != list(recorded):
            shape = list(local) if isinstance(local, dict) else type(local).__name__
            yield f"{where}: keys {shape} != {list(recorded)}"
            return
        for key, value in recorded.items():
            if key in _TIMING_FIELDS:
                if type(local[key]) is not type(value) and not (value is None or local[key] is None):
                    yield f"{where}.{key}: {type(local[key]).__name__} != recorded {type(value).__name__}"
                continue
            yield from _json_differences(value, local[key], known, f"{where}.{key}")
    elif isinstance(recorded, list):
        if not isinstance(local, list) or len(local) != len(recorded):
            yield f"{where}: {local!r} != recorded {recorded!r}"[:300]
            return
        for index, (theirs, mine) in enumerate(zip(recorded, local, strict=True)):
            yield from _json_differences(theirs, mine, known, f"{where}[{index}]")
    elif not _same_value(recorded, local, known):
        yield f"{where}: {local!r} != recorded {recorded!r}"[:400]


def _same_value(recorded: Any, local: Any, known: Secrets) -> bool:
    if type(recorded) is not type(local):
        return False
    if not isinstance(recorded, str):
        return bool(recorded == local)
    if known.substitute(recorded) == local:
        return True
    shape = next((name for name, pattern in _SHAPES.items() if pattern.fullmatch(recorded)), None)
    return shape is not None and _SHAPES[shape].fullmatch(local) is not None


def replay(gateway: LocalGateway, clock: ReplayClock, cassette: Cassette) -> list[str]:
    """Replay one cassette on a freshly reset gateway; the differences found, per interaction."""
    problems: list[str] = []

    def check(index: int, interaction: dict[str, Any], answer: Answer, known: Secrets) -> None:
        where = f"#{index} {interaction['request']['method']} {urlsplit(interaction['request']['uri']).path}"
        problems.extend(f"{where}: {d}" for d in differences(interaction, answer, known))

    replay_until(gateway, clock, cassette, len(cassette.interactions), check)
    return problems


def replay_until(
    gateway: LocalGateway,
    clock: ReplayClock,
    cassette: Cassette,
    stop: int,
    check: Callable[[int, dict[str, Any], Answer, Secrets], None] | None = None,
) -> Secrets:
    """Reset the gateway and send the cassette's first `stop` requests; what was learnt on the way."""
    gateway.reset()
    clock.anchor(cassette.started_at)
    known = Secrets(admin_key=gateway.admin_key)
    with http_client(base_url=gateway.root_url, timeout=30.0) as client:
        for index, interaction in enumerate(cassette.interactions[:stop]):
            answer = send(client, interaction, known)
            recorded_body = interaction["response"]["body"]["string"]
            if answer.headers.get("content-type", "").startswith("application/json") and recorded_body and answer.body:
                known.learn(json.loads(recorded_body), json.loads(answer.body))
            if check is not None:
                check(index, interaction, answer, known)
    return known


def new_admin_key() -> str:
    return "adm_" + uuid.uuid4().hex
