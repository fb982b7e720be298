"""A 2xx answer that is not what the protocol promises becomes a typed error saying what came instead.

Left to the SDK, a 200 with an HTML page returns a `str` where a `ChatCompletion` was expected,
invalid JSON raises a bare `json.JSONDecodeError`, `{"error": {...}}` (a proxy's or provider's
error passed through with a 200) fails later with a `TypeError`, and a completion or chunk without its
`message` or `delta` with an `AttributeError` wherever the caller reads it. Decided from the response
alone, so it is tested without a client. Such an answer may quote the request's credentials (a proxy's
page): they are masked in the error's message, `body` and `response`, as in a non-2xx answer's.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pydantic
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from . import _masking
from ._exceptions import APIError, InvalidResponseError
from ._masking import echoed_credentials, mask_read_body, masked_in
from ._sdk import httpx

if TYPE_CHECKING:
    from ._profile import GatewayProfile

__all__ = ["error_in_answer", "invalid_json", "not_a_completion", "not_json", "stream_mismatch", "wrong_stream"]

_EXCERPT = 200
GatewayErrorType = APIError | InvalidResponseError


def excerpt(text: str) -> str:
    text = text.strip()
    return repr(text if len(text) <= _EXCERPT else text[:_EXCERPT] + "...")


def not_json(response: httpx.Response, cast_to: Any) -> InvalidResponseError | None:
    """A model was expected but the body is not JSON by its content type (the SDK would return the text)."""
    if not (isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel)):
        return None
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip()
    if kind.endswith("json"):
        return None
    text = _unechoed_text(response)
    return InvalidResponseError(
        f"The gateway answered HTTP {response.status_code} with {kind or 'no content type'} instead of JSON: "
        f"{excerpt(text)}",
        response=response,
        body=text,
    )


def invalid_json(response: httpx.Response, exc: ValueError) -> InvalidResponseError:
    text = _unechoed_text(response)
    return InvalidResponseError(
        f"The gateway answered HTTP {response.status_code} with invalid JSON ({exc}): {excerpt(text)}",
        response=response,
        body=text,
    )


def error_in_answer(
    data: object, cast_to: Any, response: httpx.Response, profile: GatewayProfile
) -> GatewayErrorType | None:
    """A chat answer that is an error envelope instead: the error it reports, typed as its message says
    (or, for JSON that is not even an object, what it is)."""
    if not (isinstance(cast_to, type) and issubclass(cast_to, ChatCompletion)):
        return None
    if not isinstance(data, Mapping):
        return not_a_completion(data, cast_to, response)
    if "choices" in data or not data.get("error"):
        return None
    return _reported_error(response, data["error"], profile)


def not_a_completion(data: object, cast_to: Any, response: httpx.Response) -> InvalidResponseError | None:
    """JSON where a chat completion or chunk was expected without what every reader of one reads: a `choices` list
    (`{}`, `[]`), each choice with its `message` (a chunk's: `delta`) object. The SDK would build `choices=None` or
    `message=None` from it, which fails wherever the caller reads the answer. An empty list is an answer (a content
    filter's; a stream's usage chunk)."""
    part = _part_read(cast_to)
    if part is None:
        return None
    # Run on every chunk: `dict`, as parsed JSON is, not `Mapping` (an ABC check: ten times the cost).
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list):
        return _incomplete(data, part, None, response)
    for index, choice in enumerate(choices):
        if not (isinstance(choice, dict) and isinstance(choice.get(part), dict)):
            return _incomplete(data, part, index, response)
    return None


@functools.cache
def _part_read(cast_to: Any) -> str | None:
    """What a reader reads in each choice of a `cast_to` answer: `message`, a chunk's `delta`; None: no chat answer."""
    if isinstance(cast_to, type) and issubclass(cast_to, ChatCompletion):
        return "message"
    if isinstance(cast_to, type) and issubclass(cast_to, ChatCompletionChunk):
        return "delta"
    return None


def _incomplete(data: object, part: str, lacking: int | None, response: httpx.Response) -> InvalidResponseError:
    """The error for `not_a_completion`: `lacking` is the first choice without its `part`, None: no list at all."""
    if part == "message":
        opening, answer = f"The gateway answered HTTP {response.status_code} with", "a chat completion"
    else:
        opening, answer = "The gateway's event stream sent", "a chunk"
    if lacking is not None:
        said = f"{answer} whose `choices[{lacking}]` has no `{part}` object"
    elif part == "message":
        said = "JSON that is not a chat completion (no `choices` list)"
    else:
        said = "a chunk with no `choices` list"
    secrets = _sent_credentials(response)
    shown = masked_in(data, secrets)
    mask_read_body(response, secrets)
    return InvalidResponseError(f"{opening} {said}: {excerpt(json.dumps(shown))}", response=response, body=shown)


def _reported_error(response: httpx.Response, error: object, profile: GatewayProfile) -> APIError:
    """An error object sent with a 2xx, typed like an in-band stream failure (by the status in its message)."""
    mask_read_body(response, _sent_credentials(response))  # its profile masks them in the message and body
    found = profile.stream_error(response, error if isinstance(error, Mapping) else {"message": str(error)})
    found.message = f"The gateway answered HTTP {response.status_code} with an error instead of an answer: {found}"
    found.args = (found.message,)
    return found


def stream_mismatch(response: httpx.Response, expected: str) -> bool:
    """A stream was asked for but the answer is not one (`expected`: the stream's content type)."""
    kind: str = response.headers.get("content-type", "").split(";", 1)[0].strip()
    return kind != expected


def wrong_stream(response: httpx.Response, expected: str, profile: GatewayProfile) -> GatewayErrorType:
    """The error for a `stream_mismatch` answer, once its body is read: the error it reports, or what it is."""
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip() or "no content type"
    mask_read_body(response, _sent_credentials(response))
    text = response.content.decode("utf-8", "replace")
    if kind.endswith("json"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, Mapping) and data.get("error"):
            return _reported_error(response, data["error"], profile)
    return InvalidResponseError(
        f"The gateway answered HTTP {response.status_code} with {kind} instead of a {expected} stream: {excerpt(text)}",
        response=response,
        body=text,
    )


def _sent_credentials(response: httpx.Response) -> list[str]:
    """What the request carried in any credential header (every gateway's, `_masking.SENSITIVE_HEADERS`) or as a
    bearer token: a proxy's page or an error sent with a 200 may echo it, and the error outlives the call."""
    headers = tuple(_masking.SENSITIVE_HEADERS - {"authorization"})  # its bearer token is taken alone
    return echoed_credentials(response.request, headers)


def _unechoed_text(response: httpx.Response) -> str:
    """The answer's text, the request's credentials masked in it and in the body it was read from."""
    mask_read_body(response, _sent_credentials(response))
    return response.text
