"""The plugin as a user meets it: a pytest run in a fresh directory, with and without pytest-recording."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

PLUGIN = "omnigate_openai_pytest"
_REGISTERED = any(entry.name == "omnigate_openai" for entry in entry_points(group="pytest11"))
"""Once the `pytest11` entry point is registered, `-p` would load the plugin a second time."""


def _pytest(directory: Path, *args: str, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text))
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    if env.get("PYTHONPATH"):  # the run is in another directory: a relative `PYTHONPATH=src` must still find src
        env["PYTHONPATH"] = os.pathsep.join(str(Path(entry).resolve()) for entry in env["PYTHONPATH"].split(os.pathsep))
    plugin = [] if _REGISTERED else ["-p", PLUGIN]
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, "-p", "no:cacheprovider", "-q", "-rA", *args],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


HELLO_TEST = """
    import pytest

    @pytest.mark.omnigate_cassette("hello")
    def test_hello(omnigate_client):
        completion = omnigate_client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello."}]
        )
        assert completion.choices[0].message.content == "Hello there! How can I help?"
"""

MODES_TEST = """
    import pytest

    @pytest.fixture
    def omnigate_vcr_config():
        return {"record_mode": "all"}

    def test_config(omnigate_record_mode):
        print("MODE config", omnigate_record_mode)

    @pytest.mark.omnigate_cassette(record_mode="new_episodes")
    def test_marker(omnigate_record_mode):
        print("MODE marker", omnigate_record_mode)
"""

TYPO_TEST = """
    import pytest

    @pytest.mark.omnigate_cassette("x", recrod_mode="once")
    def test_typo(omnigate_cassette):
        pass

    @pytest.mark.omnigate_cassette("x", record_mode="sometimes")
    def test_bad_mode(omnigate_cassette):
        pass

    @pytest.mark.omnigate_cassette("x", "y")
    def test_two_names(omnigate_cassette):
        pass
"""


def test_replay_is_the_default_markers_are_checked_and_the_marker_beats_the_config(tmp_path: Path) -> None:
    result = _pytest(
        tmp_path, "-s", files={"test_hello.py": HELLO_TEST, "test_modes.py": MODES_TEST, "test_typo.py": TYPO_TEST}
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "No cassette at" in out  # replay only: nothing recorded, nothing sent
    assert "record it once with `pytest --record-mode=once`" in out
    assert "MODE config all" in out
    assert "MODE marker new_episodes" in out
    assert "Unknown cassette option(s) ['recrod_mode'] in @pytest.mark.omnigate_cassette; expected some of" in out
    assert "Unknown record mode 'sometimes' in @pytest.mark.omnigate_cassette; expected one of once" in out
    assert "takes at most one positional argument, the cassette name; got ('x', 'y')" in out
    assert "2 passed, 4 errors" in out


def test_a_user_records_once_then_replays_without_a_gateway(tmp_path: Path) -> None:
    """With pytest-recording installed, `--record-mode` is its option, and the strongest setting."""
    recorded = _pytest(
        tmp_path, "-s", "--record-mode=once", files={"test_hello.py": HELLO_TEST, "test_modes.py": MODES_TEST}
    )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert "MODE config once" in recorded.stdout
    assert "MODE marker once" in recorded.stdout
    cassette = tmp_path / "cassettes" / "test_hello" / "hello.yaml"
    assert "llmg_<redacted-1>" in cassette.read_text()

    replayed = _pytest(tmp_path, "test_hello.py", files={})
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "1 passed" in replayed.stdout


def test_without_pytest_recording_the_plugin_defines_record_mode(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "-s", "-p", "no:recording", "--record-mode=rewrite", files={"test_modes.py": MODES_TEST})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MODE config rewrite" in result.stdout
    assert "MODE marker rewrite" in result.stdout


def test_pytest_recording_tests_get_the_same_scrubbing_and_matching(tmp_path: Path) -> None:
    """`vcr_config()` returning `cassette_config()`: pytest-recording's VCR knows our body matcher."""
    cassettes = tmp_path / "cassettes" / "test_both"
    cassettes.mkdir(parents=True)
    recorded = textwrap.dedent(
        """\
        interactions:
        - request:
            body: '{"provider": "openai", "api_key": "<redacted-provider-key-1>"}'
            headers: {}
            method: POST
            uri: http://127.0.0.1:58000/v1/keys
          response:
            body: {string: ''}
            headers: {content-type: [application/json]}
            status: {code: 204, message: No Content}
        version: 1
        """
    )
    (cassettes / "test_with_pytest_recording.yaml").write_text(recorded)
    (cassettes / "ours.yaml").write_text(recorded)
    result = _pytest(
        tmp_path,
        files={
            "test_both.py": """
                import pytest
                from omnigate_openai import OpenAI
                from omnigate_openai._sdk import httpx
                from omnigate_openai.testing.pytest_plugin import cassette_config

                BODY = {"api_key": "sk-proj-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56", "provider": "openai"}  # see _fakes

                @pytest.fixture
                def vcr_config():
                    return cassette_config()

                @pytest.mark.vcr
                def test_with_pytest_recording():
                    with OpenAI(base_url="http://127.0.0.1:58000/v1", api_key="llmg_<redacted-1>") as client:
                        assert client.post("/keys", body=BODY, cast_to=httpx.Response).status_code == 204

                @pytest.mark.omnigate_cassette("ours")
                def test_with_ours(omnigate_client):
                    assert omnigate_client.post("/keys", body=BODY, cast_to=httpx.Response).status_code == 204
            """
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_plugin_loads_without_the_testing_extra() -> None:
    """The entry point is loaded by every pytest run of every user: it must not need starlette or uvicorn."""
    code = "import sys; sys.modules['starlette'] = sys.modules['uvicorn'] = None; import " + PLUGIN
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr


def test_loading_the_plugin_imports_neither_the_sdk_nor_the_package() -> None:
    """The entry point loads in every pytest run; it must cost nothing measurable when unused."""
    entry = next(entry for entry in entry_points(group="pytest11") if entry.name == "omnigate_openai")
    code = (
        "import sys; import pytest; before = set(sys.modules); import omnigate_openai_pytest; "
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in ('openai', 'omnigate_openai', 'vcr')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "[]"), done.stderr
    assert entry.value in (PLUGIN, "omnigate_openai.testing.pytest_plugin")  # the latter: an older editable install


SHARED_GATEWAY_TEST = """
    import pytest
    from omnigate_openai import OpenAI

    SEEN = {}

    def _chat(gateway, model="gpt-4o-mini"):
        with OpenAI(base_url=gateway.base_url, api_key=gateway.api_key, max_retries=0) as client:
            return client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}])

    def _fresh(gateway):
        assert (list(gateway.calls), gateway.state.usage, gateway.faults.pending) == ([], [], [])
        assert (gateway.model.pending, gateway.model.requests, len(gateway.state.orgs)) == (0, [], 1)
        assert gateway.api_key not in SEEN.values()

    def test_first(local_gateway):
        _fresh(local_gateway)
        SEEN.update(port=local_gateway.root_url, key=local_gateway.api_key, admin=local_gateway.admin_key)
        _chat(local_gateway)
        local_gateway.faults.provider_error(500, times=1)
        with pytest.raises(Exception):
            _chat(local_gateway)
        local_gateway.new_project()
        local_gateway.model.script("left over")

    def test_second_shares_the_server_but_nothing_else(local_gateway):
        assert local_gateway.root_url == SEEN["port"]
        assert local_gateway.admin_key != SEEN["admin"]
        _fresh(local_gateway)
        assert _chat(local_gateway).choices[0].message.content == "Hello there! How can I help?"

    @pytest.mark.local_gateway(rate_limit_per_min=1)
    def test_options_get_a_gateway_of_their_own(local_gateway):
        assert local_gateway.root_url != SEEN["port"]
        _chat(local_gateway)

    def test_leaves_a_fault_unhit(local_gateway):
        local_gateway.faults.provider_error(503, times=1)

    def test_stops_the_server(local_gateway):
        local_gateway.stop()

    def test_after_a_stop_and_a_left_fault(local_gateway):
        assert local_gateway.is_running
        _fresh(local_gateway)
        _chat(local_gateway)
"""


def test_local_gateway_is_one_server_reset_per_test_or_its_own_with_options(tmp_path: Path) -> None:
    result = _pytest(tmp_path, "-p", "no:randomly", files={"test_shared.py": SHARED_GATEWAY_TEST})
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "ERROR at teardown of test_leaves_a_fault_unhit" in out
    assert "Faults were scheduled on the local gateway but never hit: provider_error(503) x1" in out
    assert "6 passed, 1 error" in out
