"""Scrubbing and matching, one decision at a time, on vcrpy's own request and response shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vcr.request import Request

from _fakes import fake_key
from omnigate_openai.testing._cassettes import MATCH_ON, Scrubber, body_matcher, cassette_config, normalised_body

GATEWAY_KEY = fake_key("llmg_", "ZNWqVPJ164HCzGdCfpaYiSqsHOZ0mgTqLRMG2nX5P8A")
OTHER_GATEWAY_KEY = fake_key("llmg_", "Q2dx8kq0LZr0b3NUb3j6mVq9nWqQ3Zk2c1xQe8fX0aY")
OPENAI_KEY = fake_key("sk-proj-", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90")


def _request(body: object = None, **headers: str) -> Request:
    raw = json.dumps(body).encode() if body is not None else None
    sent = {"content-type": "application/json", **{name.replace("_", "-"): value for name, value in headers.items()}}
    if raw is not None:
        sent["content-length"] = str(len(raw))
    return Request("POST", "http://127.0.0.1:5000/v1/keys", raw, sent)


def _response(body: str, **headers: str) -> dict[str, Any]:
    raw = body.encode()
    sent = {"content-type": ["application/json"], "content-length": [str(len(raw))]}
    sent |= {name.replace("_", "-"): [value] for name, value in headers.items()}
    return {"status": {"code": 201, "message": "Created"}, "headers": sent, "body": {"string": raw}}


def test_each_distinct_secret_gets_a_stable_numbered_placeholder() -> None:
    scrubber = Scrubber()
    assert scrubber.placeholder(GATEWAY_KEY, "gateway-key") == "llmg_<redacted-1>"
    assert scrubber.placeholder(OTHER_GATEWAY_KEY, "gateway-key") == "llmg_<redacted-2>"
    assert scrubber.placeholder(GATEWAY_KEY, "gateway-key") == "llmg_<redacted-1>"
    assert scrubber.placeholder(OPENAI_KEY, "provider-key") == "<redacted-provider-key-1>"
    assert scrubber.placeholder("llmg_<redacted-7>", "gateway-key") == "llmg_<redacted-7>"  # never scrubbed twice


def test_request_headers_and_the_provider_key_in_the_body_are_scrubbed() -> None:
    scrubber = Scrubber()
    request = _request(
        {"provider": "openai", "api_key": OPENAI_KEY},
        x_api_key=GATEWAY_KEY,
        authorization=f"Bearer {GATEWAY_KEY}",
        x_admin_key="adm_Zq3v9KfLm2Xw8RtY6pNb4HcJ1sDe7GuA",
        cookie="session=abc123def456",
        x_user_id="alice@example.com",
    )
    scrubbed = scrubber.request(request)
    assert scrubbed.headers["x-api-key"] == "llmg_<redacted-1>"
    assert scrubbed.headers["authorization"] == "Bearer llmg_<redacted-1>"
    assert scrubbed.headers["x-admin-key"] == "<redacted-admin-key-1>"
    assert scrubbed.headers["cookie"] == "<redacted-cookie>"
    assert scrubbed.headers["x-user-id"] == "alice@example.com"  # kept unless asked
    assert json.loads(scrubbed.body) == {"provider": "openai", "api_key": "<redacted-provider-key-1>"}
    assert scrubbed.headers["content-length"] == str(len(scrubbed.body))


def test_user_ids_are_scrubbed_on_request_in_headers_and_bodies() -> None:
    scrubber = Scrubber(scrub_user_id=True)
    request = _request({"model": "gpt-4o-mini", "user": "alice@example.com"}, x_user_id="alice@example.com")
    scrubbed = scrubber.request(request)
    assert scrubbed.headers["x-user-id"] == "<redacted-user-id-1>"
    assert json.loads(scrubbed.body)["user"] == "<redacted-user-id-1>"
    metrics = _response('{"breakdown":[{"key":"alice@example.com","requests":1}]}')
    assert b"alice" not in scrubber.response(metrics)["body"]["string"]


def test_a_minted_key_is_scrubbed_from_the_response_and_then_from_the_request_that_uses_it() -> None:
    scrubber = Scrubber()
    body = f'{{"id":"k1","name":"ci","key_prefix":"llmg_ZNWqVPJ","api_key":"{GATEWAY_KEY}","note":"Save it — now"}}'
    response = scrubber.response(_response(body, set_cookie="sid=abcdef0123456789"))
    stored = response["body"]["string"].decode()
    assert json.loads(stored)["api_key"] == "llmg_<redacted-1>"
    assert json.loads(stored)["key_prefix"] == "llmg_ZNWqVPJ"  # a displayed prefix is not the secret
    assert "Save it — now" in stored  # the body keeps its bytes: no re-serialisation
    assert response["headers"]["content-length"] == [str(len(response["body"]["string"]))]
    assert response["headers"]["set-cookie"] == ["<redacted-cookie>"]
    assert scrubber.request(_request(None, x_api_key=GATEWAY_KEY)).headers["x-api-key"] == "llmg_<redacted-1>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"upstream said: bad key {OPENAI_KEY}.", "upstream said: bad key <redacted-provider-key-1>."),
        (f"key {fake_key('sk-ant-', 'api03-Zy98Xw76Vu54Ts32Rq10Po98')} failed", "key <redacted-provider-key-1> failed"),
        (f"?key={fake_key('AIza', 'SyD4f8Kq2Lm9Nx3Rv7Tb1Wc5Yh6Jg0Ps8Ue')}&x=1", "?key=<redacted-provider-key-1>&x=1"),
        (f'data: {{"k":"{GATEWAY_KEY}"}}\n\n', 'data: {"k":"llmg_<redacted-1>"}\n\n'),
        ("Incorrect API key provided: sk-bad-o****0000.", "Incorrect API key provided: sk-bad-o****0000."),
        ("llmgw_requests_total 3", "llmgw_requests_total 3"),
        (f"Invalid API key {fake_key('fl_', 'Kq7Zt2Lm9Xw4Rv8Bn3Hc6Jd1')}", "Invalid API key <redacted-flow-key-1>"),
        ("Received=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "Received=<redacted-token-1>"),
        ("overfl_counter_total_requests 3", "overfl_counter_total_requests 3"),
        ("eyJ.secret", "eyJ.secret"),
    ],
)
def test_secret_shaped_strings_are_scrubbed_anywhere_and_look_alikes_are_kept(text: str, expected: str) -> None:
    assert Scrubber().text(text) == expected


def test_a_short_secret_is_replaced_only_where_it_stands_alone() -> None:
    scrubber = Scrubber()
    scrubbed = scrubber.request(_request({"provider": "openai", "api_key": "abc"}))
    assert json.loads(scrubbed.body)["api_key"] == "<redacted-provider-key-1>"
    assert scrubber.text("abcdef") == "abcdef"


def test_configured_secrets_are_scrubbed_wherever_they_appear() -> None:
    scrubber = Scrubber(secrets=("hunter2-hunter2",))
    assert scrubber.text("password hunter2-hunter2 here") == "password <redacted-secret-1> here"


def test_bodies_match_as_data_whatever_the_key_order_spacing_and_placeholder_numbering() -> None:
    live = _request({"api_key": "<redacted-provider-key-2>", "provider": "openai"})
    recorded = Request(
        "POST", "http://127.0.0.1:58000/v1/keys", '{"provider": "openai", "api_key": "<redacted-provider-key>"}', {}
    )
    assert body_matcher(live, recorded) is None


def test_different_bodies_do_not_match_and_the_error_says_how() -> None:
    live = _request({"model": "gpt-4o-mini"})
    recorded = _request({"model": "gpt-4o"})
    with pytest.raises(
        AssertionError, match=r"request bodies differ: \{'model': 'gpt-4o-mini'\} != \{'model': 'gpt-4o'\}"
    ):
        body_matcher(live, recorded)


def test_a_body_that_is_not_json_is_compared_as_text() -> None:
    assert normalised_body(b'{"model": "gpt-4o-mini", "messages": [') == '{"model": "gpt-4o-mini", "messages": ['
    assert normalised_body(None) == ""


def test_the_configuration_matches_no_header_and_never_ignores_localhost() -> None:
    config = cassette_config()
    assert config["match_on"] == MATCH_ON == ("method", "path", "query", "omnigate_body")
    assert "ignore_localhost" not in config
    assert config["decode_compressed_response"] is True


def test_a_token_field_of_log_probabilities_is_no_credential() -> None:
    """`token` (unlike `access_token`) names generated text in a chat answer's log-probabilities: kept."""
    body = b'{"logprobs": {"content": [{"token": "Hello there", "logprob": -0.1}]}, "access_token": "t0k3n-t0k3n"}'
    response = Scrubber().response({"headers": {}, "body": {"string": body}})
    assert json.loads(response["body"]["string"]) == {
        "logprobs": {"content": [{"token": "Hello there", "logprob": -0.1}]},
        "access_token": "<redacted-token-1>",
    }
