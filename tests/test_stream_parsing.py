"""The native stream's sentinel scanner: the marker is found wherever the network splits the body."""

from __future__ import annotations

import pytest

from omnigate_openai.omnigate._stream_dialects import (
    NATIVE_ERROR_SENTINEL,
    SentinelScanner,
    is_end_marker,
    stream_failure,
)

UPSTREAM_401 = (
    'OpenAI error 401: {"error":{"message":"Incorrect API key provided: sk-bad-o****0000.",'
    '"type":"invalid_request_error","param":null,"code":"invalid_api_key"}}'
)
FAILED_BODY = "Hello there!" + NATIVE_ERROR_SENTINEL + UPSTREAM_401


def _scan(pieces: list[str]) -> tuple[str, str | None, bool]:
    """(all text released, the final message, whether feed() signalled the failure before finish())."""
    scanner = SentinelScanner()
    released, signalled = [], False
    for piece in pieces:
        safe, message = scanner.feed(piece)
        released.append(safe)
        signalled = signalled or message is not None
    rest, message = scanner.finish()
    return "".join(released) + rest, message, signalled


@pytest.mark.parametrize("offset", range(len(FAILED_BODY) + 1))
def test_the_sentinel_is_found_at_every_split_offset(offset: int) -> None:
    text, message, signalled = _scan([FAILED_BODY[:offset], FAILED_BODY[offset:]])
    assert (text, message) == ("Hello there!", UPSTREAM_401)
    assert signalled


@pytest.mark.parametrize("offset", range(len(NATIVE_ERROR_SENTINEL + UPSTREAM_401) + 1))
def test_a_body_that_is_only_the_sentinel_releases_no_text(offset: int) -> None:
    body = NATIVE_ERROR_SENTINEL + UPSTREAM_401
    assert _scan([body[:offset], body[offset:]])[:2] == ("", UPSTREAM_401)


def test_one_character_at_a_time() -> None:
    assert _scan(list(FAILED_BODY))[:2] == ("Hello there!", UPSTREAM_401)


def test_the_message_runs_to_the_end_of_the_body_newlines_included() -> None:
    body = "partial" + NATIVE_ERROR_SENTINEL + 'OpenAI error 500: {\n  "error": "boom"\n}\n[error] again\n'
    assert _scan([body[:10], body[10:30], body[30:]])[:2] == (
        "partial",
        'OpenAI error 500: {\n  "error": "boom"\n}\n[error] again',
    )


def test_text_that_only_starts_like_the_sentinel_is_released() -> None:
    text, message, signalled = _scan(["line one\n[err", "or]no space\n", "[", "x"])
    assert (text, message, signalled) == ("line one\n[error]no space\n[x", None, False)


def test_text_is_held_back_only_while_it_could_be_the_sentinel() -> None:
    scanner = SentinelScanner()
    assert scanner.feed("Hello\n[er") == ("Hello", None)
    assert scanner.feed("r") == ("", None)
    assert scanner.feed("and") == ("\n[errand", None)
    assert scanner.feed("plain text") == ("plain text", None)
    assert scanner.finish() == ("", None)


def test_a_trailing_newline_is_kept_for_finish() -> None:
    scanner = SentinelScanner()
    assert scanner.feed("last line\n") == ("last line", None)
    assert scanner.finish() == ("\n", None)


def test_an_empty_message_is_still_a_failure() -> None:
    assert _scan(["ok", NATIVE_ERROR_SENTINEL])[:2] == ("ok", "")


def test_sse_end_marker_and_error_frames() -> None:
    assert is_end_marker("[DONE]")
    assert not is_end_marker('{"id": 1}')
    assert stream_failure({"error": {"message": "OpenAI error 429: slow down"}}) == {
        "message": "OpenAI error 429: slow down"
    }
    assert stream_failure({"error": "bare"}) == {"message": "bare"}
    assert stream_failure({"choices": []}) is None
