"""Secrets kept out of reprs and logs: header values, body fields, URL passwords and known keys.

httpx masks only `Authorization` in a repr of headers, and the SDK's log filter only `Authorization`
and `api-key`; a gateway's credentials travel in headers of its own (its profile's `secret_headers`),
a provider key (BYOK) travels in a request body as `api_key`, and a base URL may carry
`user:password@`. A request's headers are given a repr that masks them (what is sent is unchanged),
and `SecretsFilter`, added to the SDK's and the transport's loggers, masks them in every record those
loggers emit: in its arguments by name, and anywhere in its text by value for the keys this
process's clients hold.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar, cast

from ._sdk import httpx

__all__ = [
    "MASK",
    "SENSITIVE_HEADERS",
    "SecretsFilter",
    "echoed_credentials",
    "hide_headers",
    "install_log_filter",
    "mask_read_body",
    "mask_request_headers",
    "masked_bytes",
    "masked_in",
    "masked_url",
    "masked_value",
    "remember",
]

MASK = "[secure]"
"""httpx's own mask for the headers it hides, so masked output reads the same."""

SENSITIVE_HEADERS: set[str] = {"authorization", "proxy-authorization", "api-key", "cookie"}
"""Lower-case header names whose values are masked; each client's profile adds its own (`hide_headers`)."""
SENSITIVE_FIELDS = frozenset({"api_key", "admin_key", "apikey", "password", "secret", "token", "key"})
"""Body fields masked in logged request options (`provider_keys.set` sends the provider key as `api_key`)."""

_USERINFO = r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@:\s]*):(?P<password>[^/@\s]*)@"
"""As text: `re` compiles it on its first use, not at import."""
_KNOWN: dict[str, None] = {}
_MAX_KNOWN = 256
_MIN_KNOWN_LENGTH = 8
_T = TypeVar("_T")
_Text = TypeVar("_Text", str, bytes)


def hide_headers(names: frozenset[str]) -> None:
    """Mask these headers too (a gateway's credential headers), from now on, for every client."""
    SENSITIVE_HEADERS.update(name.lower() for name in names)


def remember(value: str) -> None:
    """A key this process holds: masked wherever it shows up in a log line (the latest 256 kept)."""
    if len(value) < _MIN_KNOWN_LENGTH:
        return
    _KNOWN.pop(value, None)
    _KNOWN[value] = None
    while len(_KNOWN) > _MAX_KNOWN:
        del _KNOWN[next(iter(_KNOWN))]


def masked_url(url: str) -> str:
    """`http://user:pw@host` -> `http://user:[secure]@host`."""
    return re.sub(_USERINFO, lambda m: f"{m['scheme']}{m['user']}:{MASK}@", url)


def masked_text(text: str) -> str:
    text = masked_url(text)
    for value in list(_KNOWN):
        if value in text:
            text = text.replace(value, MASK)
    return text


def masked_bytes(content: bytes) -> bytes:
    """`content` (a body as received) with every key this process holds masked: servers echo keys back."""
    for value in list(_KNOWN):
        secret = value.encode()
        if secret in content:
            content = content.replace(secret, MASK.encode())
    return content


class _MaskedHeaders(httpx.Headers):  # type: ignore[misc, name-defined, unused-ignore]
    """Headers whose repr hides every credential, not only `Authorization`."""

    def __repr__(self) -> str:
        items = [(k, MASK if k.lower() in SENSITIVE_HEADERS else v) for k, v in self.multi_items()]
        as_dict = dict(items)
        return f"Headers({as_dict if len(as_dict) == len(items) else items!r})"


_MaskedHeaders.__name__ = _MaskedHeaders.__qualname__ = "Headers"


def mask_request_headers(request: Any) -> None:  # httpx or httpx2, by the openai major
    """Give the request's headers the masking repr, in place (the same object, the same layout)."""
    headers = request.headers
    if type(headers) is httpx.Headers:
        headers.__class__ = _MaskedHeaders


def masked_value(value: Any, depth: int = 0) -> Any:
    """`value` with secrets masked: fields by name, URL passwords, known keys; nested up to 8 levels."""
    if depth > 8:
        return value
    if isinstance(value, str):
        return masked_text(value)
    if isinstance(value, httpx.URL):
        return masked_url(str(value))
    if isinstance(value, Mapping):
        return {
            k: MASK if isinstance(k, str) and _is_sensitive(k) and v else masked_value(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(masked_value(v, depth + 1) for v in value)
    return value


def masked_in(value: _T, secrets: Sequence[str]) -> _T:
    """`value` (an error answer: parsed JSON or text) with each of `secrets` masked in every string, keys
    included, the rest kept as it was. A gateway's error module says which secrets its request carried.

    JSON nested deeper than any envelope (32 levels) is masked whole rather than walked without end.
    """
    return cast(_T, _masked_in(value, secrets, 0)) if secrets else value


def mask_read_body(response: Any, secrets: Sequence[str]) -> None:  # httpx or httpx2, by the openai major
    """Mask each of `secrets` in an error answer's body as read, in place, so that the error's `response.text`,
    `.content`, `.json()` and `.iter_text()` show what its `body` shows.

    By the time an error is built the SDK has read the answer (for its own error text) and is done with it;
    the body lives in the response's `_content` (httpx and httpx2 alike), and `.text` caches its decoding.
    An answer closed unread has no body to mask. Secrets are matched as bytes of the body sent (ASCII keys in
    UTF-8 or Latin-1 text), in any spelling JSON allows (`_spellings`), else in the body as its charset decodes
    it (UTF-16, say: then it is encoded back in that charset).
    """
    content = getattr(response, "_content", None)
    if not isinstance(content, bytes) or not secrets:
        return
    masked = _masked_spellings(content, secrets)
    if masked == content:
        text = response.text
        if any(secret in text for secret in secrets):
            masked = masked_in(text, secrets).encode(response.encoding or "utf-8", errors="replace")
    if masked != content:
        response._content = masked
        vars(response).pop("_text", None)


def echoed_credentials(request: Any, headers: Sequence[str], *extra: str) -> list[str]:
    """The credentials a request carried that its answer may echo: the values of `headers` (a gateway's key
    headers), a bearer token, and `extra` (a key sent in the body), longest first (a key may hold a shorter
    one). Values shorter than 8 characters are left out: masking every "abc" would garble the message."""
    if request is None:
        return []
    found = [request.headers.get(name, "") for name in headers]
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        found.append(token)
    found.extend(extra)
    return sorted({secret for secret in found if len(secret) >= _MIN_KNOWN_LENGTH}, key=len, reverse=True)


def _masked_in(value: object, secrets: Sequence[str], depth: int) -> object:
    if isinstance(value, str):
        return _masked_spellings(value, secrets)
    if depth > 32:
        return MASK
    if isinstance(value, Mapping):
        return {_masked_in(k, secrets, depth + 1): _masked_in(v, secrets, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_in(item, secrets, depth + 1) for item in value]
    return value


_SHORT_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t"}
"""The characters JSON may also write as a backslash and a letter (`/` as `\\/`: PHP does by default)."""


def _masked_spellings(text: _Text, secrets: Sequence[str]) -> _Text:
    """`text` (a body as received, or a string of one) with each of `secrets` masked in every spelling a JSON encoder
    may give it: any of its characters as itself, as `\\uXXXX` in either hex case (Go escapes `<>&`, other servers
    all but ASCII, or everything) or as a two-character escape; escaped again too, in JSON inside a JSON string
    (`\\\\u0073`). Other escapes are stepped over whole: after the `\\n` of `\\nabc`, `abc` is no new match; but
    text that is no JSON (`C:\\nabc`) may hold a key right after a backslash, so the key as written is masked first.
    """
    source = "|".join(f"(?P<s{index}>{_spellings(secret)})" for index, secret in enumerate(secrets)) + r"|\\."
    if isinstance(text, str):
        for secret in secrets:
            text = text.replace(secret, MASK)
        return re.sub(source, lambda found: MASK if found.lastgroup else found[0], text, flags=re.DOTALL)
    for secret in secrets:
        text = text.replace(secret.encode(), MASK.encode())
    return re.sub(source.encode(), lambda found: MASK.encode() if found.lastgroup else found[0], text, flags=re.DOTALL)


def _spellings(secret: str) -> str:
    """A regex of `secret` as JSON may spell it, character by character (`_masked_spellings`)."""
    pattern = []
    for char in secret:
        units = char.encode("utf-16-be")  # beyond the BMP: a surrogate pair of escapes
        escaped = "".join(
            r"\\+u" + "".join(f"[{digit}{digit.upper()}]" if digit.isalpha() else digit for digit in f"{unit:04x}")
            for unit in (int.from_bytes(units[i : i + 2], "big") for i in range(0, len(units), 2))
        )
        spelled = [re.escape(char), escaped]
        if char in _SHORT_ESCAPES:
            spelled.append(r"\\+" + re.escape(_SHORT_ESCAPES[char]))
        pattern.append(f"(?:{'|'.join(spelled)})")
    return "".join(pattern)


def _is_sensitive(name: str) -> bool:
    lowered = name.lower()
    return lowered in SENSITIVE_HEADERS or lowered in SENSITIVE_FIELDS


class SecretsFilter(logging.Filter):
    """Masks credentials in a record's arguments (by name) and in its text (by value and URL shape)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.args, Mapping):
                record.args = masked_value(dict(record.args))
            elif isinstance(record.args, tuple):
                record.args = tuple(masked_value(arg) for arg in record.args)
            record.msg = masked_text(record.getMessage())
            record.args = None
        except Exception:  # a record that cannot be formatted is left for logging to report
            pass
        return True


_FILTERED_LOGGERS = ("openai._base_client", "openai", "httpx", "httpx2")


def install_log_filter() -> None:
    """Add `SecretsFilter` to the SDK's and the transport's loggers, once."""
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretsFilter) for f in logger.filters):
            logger.addFilter(SecretsFilter())
