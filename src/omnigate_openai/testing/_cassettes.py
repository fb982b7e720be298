"""What a cassette may hold and when a recorded request answers a live one: scrubbing and matching.

Scrubbing runs on every interaction before vcrpy stores it (`before_record_request`,
`before_record_response`) and on every live request before vcrpy looks it up, so a scrubbed
recording still matches the live request it came from. Each distinct secret gets a placeholder
that is stable within one cassette (`llmg_<redacted-1>`, `<redacted-provider-key-1>`, ...), the
way the reference cassettes of a real OmniGate are redacted, so a reader can still see which key
was used where, and a key minted by one call and sent by the next is the same placeholder in both.

Matching looks at the method, the path, the query and the body (JSON compared as data, so key
order and spacing don't matter), never at headers: the SDK's `x-stainless-*`, `user-agent` and
retry-count headers change with every release and every attempt.

Nothing here imports vcrpy: this module holds the decisions, `cassette_config()` hands them to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

__all__ = [
    "BODY_MATCHER",
    "MATCH_ON",
    "SecretKind",
    "Scrubber",
    "body_matcher",
    "cassette_config",
    "normalised_body",
    "placeholder_free",
]

SecretKind = Literal[
    "gateway-key", "flow-key", "provider-key", "admin-key", "token", "password", "cookie", "user-id", "secret"
]

BODY_MATCHER = "omnigate_body"
"""The name under which `body_matcher` is registered with a `vcr.VCR`."""

MATCH_ON: tuple[str, ...] = ("method", "path", "query", BODY_MATCHER)
"""Never the host or port (the local gateway listens on a new port each run), never a header."""

_MIN_SUBSTRING_SECRET = 8
"""Shorter secrets are replaced only where they stand alone (a header, a JSON value), never inside text:
replacing every "abc" in every body would corrupt the cassette. The reference cassettes draw the same line."""

_SHAPES: tuple[tuple[SecretKind, re.Pattern[str]], ...] = (
    # Long enough that a key's displayed prefix (`key_prefix: llmg_25iiVJ2`) and a provider's masked echo
    # (`sk-bad-o****0000`) stay readable: they are what a test asserts on, and not secrets.
    ("gateway-key", re.compile(r"llmg_[A-Za-z0-9_\-]{16,}")),
    ("flow-key", re.compile(r"(?<![A-Za-z0-9_])fl_[A-Za-z0-9_\-]{16,}")),
    ("token", re.compile(r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]+")),  # a JWT
    ("provider-key", re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}")),
    ("provider-key", re.compile(r"sk-[A-Za-z0-9_\-]{16,}")),
    ("provider-key", re.compile(r"AIza[A-Za-z0-9_\-]{30,}")),
)
"""Secrets recognised by their shape wherever they appear: OmniGate and Flow keys, JWTs (Flow's bearer tokens),
OpenAI, Anthropic and Google keys."""

_REDACTED = "<redacted"
"""Every placeholder contains this; a value that does is never scrubbed again."""

_PLACEHOLDER = re.compile(r"<redacted-(?P<kind>[a-z]+(?:-[a-z]+)*?)(?:-\d+)?(?::[^>]*)?>")
"""`<redacted-provider-key-2>`, `<redacted-provider-key:starts-with-sk-bad>` -> kind `provider-key`."""

_NUMBERED = re.compile(r"llmg_<redacted-(?P<gateway>\d+)>|<redacted-(?P<kind>[a-z]+(?:-[a-z]+)*)-(?P<number>\d+)>")
"""A numbered placeholder: `llmg_<redacted-2>` (a gateway key), `<redacted-provider-key-3>`."""

_SECRET_HEADERS: dict[str, SecretKind] = {
    "x-api-key": "gateway-key",
    "x-admin-key": "admin-key",
    "api-key": "provider-key",  # Azure OpenAI's
    "x-goog-api-key": "provider-key",
    "authorization": "token",
    "proxy-authorization": "token",
}
_COOKIE_HEADERS = frozenset({"cookie", "set-cookie"})
_USER_ID_HEADER = "x-user-id"

_SECRET_FIELDS = frozenset({"api_key"})
"""JSON fields that hold a key: the provider key sent to `POST /v1/keys`, and the gateway key returned once
by `POST /v1/keys/api`, `POST /v1/signup` and `POST /v1/admin/projects`."""

_CREDENTIAL_FIELDS: dict[str, SecretKind] = {
    "access_token": "token",
    "refresh_token": "token",
    "id_token": "token",
    "auth_token": "token",
    "client_secret": "secret",
    "password": "password",
}
"""JSON fields of a token or login exchange (a Flow token refresh recorded with the calls it serves). Not a bare
`token`: a chat answer's log-probabilities hold the generated text under that name."""

_SECRET_PARAMETERS: dict[str, SecretKind] = {
    "api_key": "secret",
    "apikey": "secret",
    "key": "secret",
    "token": "token",
    "access_token": "token",
    "auth_token": "token",
}
"""Query parameters that carry a credential (`?key=` is Google's)."""


class VcrRequest(Protocol):
    """The parts of `vcr.request.Request` that scrubbing reads and writes."""

    uri: str
    body: Any
    headers: MutableMapping[str, str]


@dataclass
class Scrubber:
    """Hides every secret of one cassette behind a placeholder that is stable within that cassette.

    One instance per cassette: the numbering (`llmg_<redacted-1>`, `llmg_<redacted-2>`) follows the
    order in which secrets are first seen, after those the cassette already holds (`number_after`).
    Placeholders are never scrubbed again, so replaying a cassette whose answers hand out
    `llmg_<redacted-2>` sends that placeholder back unchanged.
    """

    scrub_user_id: bool = False
    """Also hide `x-user-id` values (and the same strings wherever they appear): they may be e-mails."""
    secrets: tuple[str, ...] = ()
    """Known secrets to hide wherever they appear, e.g. an admin key the test configured."""
    _known: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _counts: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for secret in self.secrets:
            self.placeholder(secret, "secret")

    # -- the vcrpy hooks -------------------------------------------------------------------------

    def request(self, request: VcrRequest) -> VcrRequest:
        """`before_record_request`: scrub a request (vcrpy passes a copy) before storing or looking it up."""
        for name in list(request.headers):
            lowered = name.lower()
            value = request.headers[name]
            if lowered in _COOKIE_HEADERS:
                request.headers[name] = "<redacted-cookie>"
            elif lowered in _SECRET_HEADERS:
                request.headers[name] = self._scrub_credential(value, _SECRET_HEADERS[lowered])
            elif lowered == _USER_ID_HEADER and self.scrub_user_id:
                request.headers[name] = self.placeholder(value, "user-id")
        body = _as_text(request.body)
        if body is not None:
            scrubbed = self._scrub_body(body, side="request")
            if scrubbed != body:
                request.body = scrubbed.encode("utf-8", "surrogateescape")
                _fix_length(request.headers, len(request.body))
        for name in list(request.headers):  # a secret first seen in the body may sit in another header too
            request.headers[name] = self.text(request.headers[name])
        request.uri = self.text(self._scrub_uri(request.uri))
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """`before_record_response`: scrub a response (vcrpy passes a copy) before storing it."""
        headers: dict[str, list[str]] = response.get("headers") or {}
        body_field = response.get("body") or {}
        body = _as_text(body_field.get("string"))
        if body is not None:
            scrubbed = self._scrub_body(body, side="response")
            if scrubbed != body:
                body_field["string"] = scrubbed.encode("utf-8", "surrogateescape")
                _fix_length(headers, len(body_field["string"]))
        for name, values in headers.items():
            if name.lower() in _COOKIE_HEADERS:
                headers[name] = ["<redacted-cookie>" for _ in values]
            else:
                headers[name] = [self.text(value) for value in values]
        return response

    # -- the decisions ---------------------------------------------------------------------------

    def number_after(self, recorded: str) -> None:
        """Number new secrets after the placeholders `recorded` (the text of a cassette being extended) holds.

        A cassette recorded again in `new_episodes` mode keeps its interactions: numbering from 1 again gave
        a new, different secret the placeholder of an old one. (The secrets behind them are unknown here, so
        a secret of the old session seen again gets a new number: two numbers, never one for two secrets.)
        """
        for match in _NUMBERED.finditer(recorded):
            kind, number = ("gateway-key", match["gateway"]) if match["gateway"] else (match["kind"], match["number"])
            self._counts[kind] = max(self._counts.get(kind, 0), int(number))

    def placeholder(self, secret: str, kind: SecretKind) -> str:
        """The stable placeholder of `secret`, numbering it if it is new."""
        if _REDACTED in secret:
            return secret
        known = self._known.get(secret)
        if known is not None:
            return known
        number = self._counts.get(kind, 0) + 1
        self._counts[kind] = number
        shown = f"llmg_<redacted-{number}>" if kind == "gateway-key" else f"<redacted-{kind}-{number}>"
        self._known[secret] = shown
        return shown

    def text(self, text: str) -> str:
        """`text` with every known secret and every secret-shaped string replaced."""
        for kind, shape in _SHAPES:
            for found in set(shape.findall(text)):
                self.placeholder(found, kind)
        for secret, shown in sorted(self._known.items(), key=lambda item: -len(item[0])):
            if len(secret) >= _MIN_SUBSTRING_SECRET and secret in text:
                text = text.replace(secret, shown)
        return text

    def _scrub_credential(self, value: str, kind: SecretKind) -> str:
        scheme, _, token = value.partition(" ")
        if token and scheme.lower() in ("bearer", "basic", "token"):
            return f"{scheme} {self._scrub_credential(token, kind)}"
        return self.placeholder(value, _kind_of(value, kind))

    def _scrub_uri(self, uri: str) -> str:
        """A URL's password and credential query parameters (`?api_key=`, `?key=`, `?token=`) hidden."""
        parts = urlsplit(uri)
        netloc = parts.netloc
        if parts.password:
            shown = quote(self.placeholder(parts.password, "password"), safe="<>")
            netloc = netloc.replace(f":{parts.password}@", f":{shown}@", 1)
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            kind = _SECRET_PARAMETERS.get(name.lower())
            if kind is not None and value:
                self.placeholder(value, _kind_of(value, kind))  # known now: `text()` replaces it everywhere
        return urlunsplit(parts._replace(netloc=netloc))

    def _scrub_body(self, body: str, *, side: Literal["request", "response"]) -> str:
        try:
            data = json.loads(body)
        except ValueError:
            return self.text(body)
        for value, kind in _secret_values(data, side=side, scrub_user_id=self.scrub_user_id):
            shown = self.placeholder(value, kind)
            # Replace the JSON string itself, quotes included, so a short secret is only replaced where it
            # stands alone; the body keeps its bytes otherwise (no re-serialisation).
            body = body.replace(json.dumps(value), json.dumps(shown)).replace(
                json.dumps(value, ensure_ascii=False), json.dumps(shown, ensure_ascii=False)
            )
        body = self.text(body)
        # A secret the body spells with JSON escapes (`\u006c\u006c\u006d\u0067_...`, `\/`) is no text to replace:
        # then, and only then, the body is written anew from its data, scrubbed.
        try:
            data = json.loads(body)
        except ValueError:  # a configured secret held a quote: then it was no JSON text to begin with
            return body
        scrubbed = self._scrub_strings(data)
        return body if scrubbed == data else json.dumps(scrubbed, ensure_ascii=False)

    def _scrub_strings(self, data: object) -> object:
        """`data` (parsed JSON) with every string scrubbed: a known secret standing alone, or `text()`'s."""
        if isinstance(data, str):
            return self._known.get(data) or self.text(data)
        if isinstance(data, Mapping):
            return {self._scrub_strings(key): self._scrub_strings(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self._scrub_strings(item) for item in data]
        return data


def _secret_values(
    data: object, *, side: Literal["request", "response"], scrub_user_id: bool
) -> Iterable[tuple[str, SecretKind]]:
    """The secrets a JSON body holds in fields known to carry them."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(value, str) and _REDACTED not in value:
                if key in _SECRET_FIELDS:
                    # A request's `api_key` is a provider key (`POST /v1/keys`); a response's is a gateway key.
                    is_gateway = side == "response" or value.startswith("llmg_")
                    yield value, _kind_of(value, "gateway-key" if is_gateway else "provider-key")
                elif key in _CREDENTIAL_FIELDS:
                    yield value, _CREDENTIAL_FIELDS[key]
                elif key == "user" and side == "request" and scrub_user_id:
                    yield value, "user-id"
            else:
                yield from _secret_values(value, side=side, scrub_user_id=scrub_user_id)
    elif isinstance(data, list):
        for item in data:
            yield from _secret_values(item, side=side, scrub_user_id=scrub_user_id)


def _kind_of(value: str, default: SecretKind) -> SecretKind:
    """A key's own prefix names its kind, wherever it is found (a Flow key travels in `X-API-Key` too)."""
    if value.startswith("llmg_"):
        return "gateway-key"
    if value.startswith("fl_"):
        return "flow-key"
    return default


def _as_text(body: object) -> str | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body
    if isinstance(body, (bytes, bytearray)):
        # Bytes that are not UTF-8 are kept as they are (and written back so), the text around them scrubbed.
        return bytes(body).decode("utf-8", "surrogateescape")
    return None


def _fix_length(headers: MutableMapping[str, Any], length: int) -> None:
    """Keep `content-length` true after a body edit, in vcrpy's request (str) and response (list) shapes."""
    for name in list(headers):
        if name.lower() == "content-length":
            headers[name] = [str(length)] if isinstance(headers[name], list) else str(length)


# -- matching ------------------------------------------------------------------------------------


def placeholder_free(value: str) -> str:
    """Placeholders reduced to their kind, so `<redacted-provider-key-2>` matches `<redacted-provider-key>`."""
    value = value.replace("llmg_<redacted", "<redacted-gateway-key")
    return _PLACEHOLDER.sub(lambda match: f"<redacted-{match['kind']}>", value)


def normalised_body(body: object) -> object:
    """A request body as compared: parsed JSON (key order ignored) or text, placeholders reduced to kinds."""
    text = _as_text(body)
    if text is None:
        return body if body is not None else ""
    try:
        return _without_usage_request(_without_placeholders(json.loads(text)))
    except ValueError:
        return placeholder_free(text)


def _without_usage_request(data: object) -> object:
    """A stream's `stream_options.include_usage` is not compared.

    omnigate-openai asks for the usage chunk on every compat stream (and hides it from callers who
    did not), so recordings made with or without it, by this version or an older one, still match.
    """
    if not (isinstance(data, dict) and data.get("stream") is True and isinstance(data.get("stream_options"), dict)):
        return data
    options = {key: value for key, value in data["stream_options"].items() if key != "include_usage"}
    return {key: value for key, value in data.items() if key != "stream_options"} | (
        {"stream_options": options} if options else {}
    )


def _without_placeholders(data: object) -> object:
    if isinstance(data, str):
        return placeholder_free(data)
    if isinstance(data, Mapping):
        return {key: _without_placeholders(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_without_placeholders(item) for item in data]
    return data


def body_matcher(live: VcrRequest, recorded: VcrRequest) -> None:
    """vcrpy matcher: the bodies are the same data. Raises `AssertionError` saying how they differ."""
    left, right = normalised_body(live.body), normalised_body(recorded.body)
    if left != right:
        raise AssertionError(f"request bodies differ: {_short(left)} != {_short(right)}")


def _short(value: object, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


# -- the vcrpy configuration ---------------------------------------------------------------------


def cassette_config(*, scrub_user_id: bool = False, secrets: Iterable[str] = (), recorded: str = "") -> dict[str, Any]:
    """`use_cassette` keyword arguments with scrubbing and matching on; a fresh scrubber each call.

    `recorded`: the text of the cassette these will extend, if any, whose placeholders new secrets are
    numbered after. For `pytest-recording` users: return it from your `vcr_config` fixture. The
    `omnigate_body` matcher is registered on pytest-recording's VCR by this package's plugin.
    """
    scrubber = Scrubber(scrub_user_id=scrub_user_id, secrets=tuple(secrets))
    scrubber.number_after(recorded)
    hooks: tuple[Callable[[Any], Any], Callable[[Any], Any]] = (scrubber.request, scrubber.response)
    return {
        "before_record_request": hooks[0],
        "before_record_response": hooks[1],
        "decode_compressed_response": True,  # scrubbing needs the body in clear
        "match_on": MATCH_ON,
        # Never `ignore_localhost`: the local gateway listens on 127.0.0.1, and it would drop all of its traffic.
    }
