"""The options every gateway method shares: pass-through options, the auth choice, admin key and root URL."""

from __future__ import annotations

import pytest

from omnigate_openai import ConfigurationError, OpenAI
from omnigate_openai._request_options import options, root_url
from omnigate_openai.omnigate._credentials import admin_headers


def test_gateway_calls_ask_for_the_key_and_others_do_not() -> None:
    assert options({})["security"] == {"bearer_auth": True}
    assert options({}, auth="admin")["security"] == {}
    assert options({}, auth="none")["security"] == {}


def test_callers_extra_headers_win_over_the_methods_own() -> None:
    built = options({"extra_headers": {"x-admin-key": "mine"}}, headers={"x-admin-key": "configured", "a": "1"})
    assert built["headers"] == {"x-admin-key": "mine", "a": "1"}


def test_query_and_extra_query_merge() -> None:
    built = options({"extra_query": {"probe": "1"}, "timeout": 3.0}, query={"range": "1h"})
    assert built["params"] == {"range": "1h", "probe": "1"}
    assert built["timeout"] == 3.0


def test_admin_key_comes_from_the_client_settings() -> None:
    client = OpenAI(base_url="http://gw.test/v1", admin_key="adm_secret")
    assert admin_headers(client) == {"x-admin-key": "adm_secret"}


def test_missing_admin_key_names_both_ways_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMNIGATE_ADMIN_KEY", raising=False)
    client = OpenAI(base_url="http://gw.test/v1", api_key="llmg_x")
    with pytest.raises(ConfigurationError, match=r"pass `admin_key=` to the client or set `OMNIGATE_ADMIN_KEY`"):
        admin_headers(client)


@pytest.mark.parametrize("base_url", ["http://gw.test/v1", "http://gw.test/v1/", "http://gw.test"])
def test_root_url_is_outside_v1(base_url: str) -> None:
    assert root_url(OpenAI(base_url=base_url, api_key="llmg_x"), "/health") == "http://gw.test/health"


def test_root_url_of_a_plain_openai_client() -> None:
    import openai

    plain = openai.OpenAI(base_url="http://gw.test/prefix/v1", api_key="k")
    assert root_url(plain, "/version") == "http://gw.test/prefix/version"
