"""`patch_openai()`: code that builds `openai.OpenAI()` itself talks to the gateway while patched."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openai
import pytest
from openai import OpenAI as ImportedBeforePatching

import omnigate_openai as og
from _fakes import fake_key
from omnigate_openai.integrations.patch import is_patched, patch_openai, unpatch_openai
from omnigate_openai.testing import DEFAULT_REPLY, LocalGateway

from .conftest import OPENAI_DUMMY_KEY, USER_ID, chat_calls

HELLO = [{"role": "user", "content": "Hello"}]
ORIGINAL_INITS = (vars(openai.OpenAI)["__init__"], vars(openai.AsyncOpenAI)["__init__"])


@pytest.fixture(autouse=True)
def _always_unpatched() -> Iterator[None]:
    yield
    unpatch_openai()
    assert (vars(openai.OpenAI)["__init__"], vars(openai.AsyncOpenAI)["__init__"]) == ORIGINAL_INITS


def test_a_plain_construction_becomes_a_gateway_client(patched: LocalGateway) -> None:
    client = ImportedBeforePatching(api_key=OPENAI_DUMMY_KEY, organization="org-x", max_retries=0)
    assert type(client) is og.OpenAI
    assert isinstance(client, openai.OpenAI)
    assert client.api_key == "omnigate-key-not-exposed"
    assert client.max_retries == 0  # the SDK's other options are kept
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == DEFAULT_REPLY
    [call] = chat_calls(patched)  # the fixture checks the gateway key and user id, and OPENAI_API_KEY's absence
    assert "authorization" not in call.headers
    assert "openai-organization" not in call.headers


async def test_async_construction_and_with_options(patched: LocalGateway) -> None:
    client = openai.AsyncOpenAI(base_url="https://api.openai.com/v1").with_options(max_retries=1)
    assert type(client) is og.AsyncOpenAI
    reply = await client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == DEFAULT_REPLY
    await client.close()
    assert len(chat_calls(patched)) == 1


def test_a_library_that_builds_its_own_client(patched: LocalGateway) -> None:
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model="gpt-4o-mini", use_responses_api=False)  # builds openai.OpenAI from OPENAI_API_KEY
    assert model.invoke("Hello").content == DEFAULT_REPLY
    assert type(model.root_client) is og.OpenAI
    assert type(model.root_async_client) is og.AsyncOpenAI
    assert len(chat_calls(patched)) == 1


def test_subclasses_are_left_alone(patched: LocalGateway) -> None:
    azure = openai.AzureOpenAI(api_key="k", azure_endpoint="https://example.invalid", api_version="2024-10-21")
    assert type(azure) is openai.AzureOpenAI
    ours = og.OpenAI(base_url=patched.base_url, api_key=patched.api_key, user_id=USER_ID)
    assert ours.user_id == USER_ID


def test_idempotent_and_reversible(gateway: LocalGateway) -> None:
    assert (og.patch_openai, og.unpatch_openai) == (patch_openai, unpatch_openai)  # exported by the root
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url)
    wrapped = vars(openai.OpenAI)["__init__"]
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)  # settings replaced
    assert vars(openai.OpenAI)["__init__"] is wrapped
    assert og.OpenAI.__init__ is not wrapped
    assert is_patched()
    assert openai.OpenAI(api_key="x").user_id == USER_ID  # type: ignore[attr-defined]
    unpatch_openai()
    unpatch_openai()
    assert not is_patched()
    assert type(openai.OpenAI(api_key="x")) is openai.OpenAI


def test_missing_settings_fail_when_patching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMNIGATE_API_KEY", raising=False)
    with pytest.raises(og.ConfigurationError, match="Missing gateway key: pass `api_key=` or set `OMNIGATE_API_KEY`"):
        patch_openai(base_url="http://127.0.0.1:9")
    assert not is_patched()


def test_settings_come_from_the_environment(gateway: LocalGateway, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIGATE_API_KEY", gateway.api_key)
    monkeypatch.setenv("OMNIGATE_BASE_URL", gateway.root_url)
    monkeypatch.setenv("OMNIGATE_USER_ID", USER_ID)
    patch_openai()
    client = openai.OpenAI()
    assert client.chat.completions.create(model="gpt-4o-mini", messages=HELLO).choices  # type: ignore[arg-type]
    assert len(chat_calls(gateway)) == 1


def test_thread_safe(gateway: LocalGateway) -> None:
    """Threads patching, unpatching and constructing at once: every client is whole, nothing wrapped twice."""
    start = threading.Barrier(8, timeout=10)
    shared = openai.DefaultHttpxClient()  # building a TLS context per client would take most of the time

    def work(index: int) -> list[type]:
        start.wait()
        kinds = []
        for _ in range(25):
            if index % 2:
                patch_openai(api_key=gateway.api_key, base_url=gateway.base_url, user_id=USER_ID)
            else:
                unpatch_openai()
            client = openai.OpenAI(api_key="sk-x", base_url=gateway.base_url, http_client=shared)
            assert client.base_url == gateway.base_url + "/"
            kinds.append(type(client))
        return kinds

    with ThreadPoolExecutor(8) as pool:
        kinds = {kind for result in pool.map(work, range(8), timeout=60) for kind in result}
    assert kinds <= {og.OpenAI, openai.OpenAI}
    patch_openai(api_key=gateway.api_key, base_url=gateway.base_url)
    assert getattr(vars(openai.OpenAI)["__init__"], "__wrapped__", None) is ORIGINAL_INITS[0]


_WITHOUT_OPENAI_AGENTS = """
import importlib.util, site, sys
site.addsitedir({site_dir!r})
sys.path.insert(0, {src!r})
assert importlib.util.find_spec("agents") is None, "openai-agents is still importable"
import omnigate_openai as og
hooks = list(sys.meta_path)
og.patch_openai(api_key={key!r}, base_url="http://127.0.0.1:9/v1")
og.unpatch_openai()
print(sys.meta_path == hooks, "agents" in sys.modules)
"""


def test_without_openai_agents_the_patch_touches_no_import(tmp_path: Path) -> None:
    """Where openai-agents is not installed, the patch leaves no hook waiting for it in the import system."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    kept = tmp_path / "site-packages"
    kept.mkdir()
    for entry in site_packages.iterdir():
        if entry.name != "agents" and not entry.name.startswith("openai_agents-"):
            (kept / entry.name).symlink_to(entry)
    src = str(Path(og.__file__).parents[1])
    script = _WITHOUT_OPENAI_AGENTS.format(site_dir=str(kept), src=src, key=fake_key("llmg_", "no-agents-here"))
    done = subprocess.run([sys.executable, "-S", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True False"
