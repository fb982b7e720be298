"""pytest plugin: test code that uses the gateway against a local gateway, or replay it from cassettes.

Registered through the `pytest11` entry point `omnigate_openai`, so it loads in every pytest run of
an environment that has the package. It therefore lives outside the `omnigate_openai` package and
imports nothing at load time but pytest: the SDK, vcrpy and the local gateway are imported only by
the fixtures that need them, and a run that uses none pays nothing (`-p no:omnigate_openai` turns it
off). `omnigate_openai.testing.pytest_plugin` is the same module under its documented name.

    @pytest.mark.omnigate_cassette("hello")          # cassettes/<test module>/hello.yaml
    def test_hello(omnigate_client: OpenAI) -> None:
        assert omnigate_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO).choices

    @pytest.mark.omnigate_cassette("budget")
    def test_budget(omnigate_client: OpenAI, omnigate_gateway: LocalGateway | None) -> None:
        if omnigate_gateway is not None:                  # recording: the fault is set on the gateway
            omnigate_gateway.faults.exhaust_budget("project", "daily")
        with pytest.raises(BudgetExceededError):          # replaying: the cassette holds the 402
            omnigate_client.chat.completions.create(model="gpt-4o-mini", messages=HELLO)

    @pytest.mark.local_gateway(rate_limit_per_min=1, cache_enabled=True)
    def test_second_call_is_limited(local_gateway: LocalGateway) -> None: ...

Replay is the default (record mode `none`: no request leaves the process). `--record-mode=once`
records missing cassettes from a fresh local gateway; `--record-mode=rewrite` records them anew.
Every secret is scrubbed before a cassette is written (see `_cassettes.py`).

Configuration is by overriding fixtures. The record mode is, from strongest to weakest: the
`--record-mode` option, the marker's `record_mode=`, `omnigate_vcr_config()["record_mode"]`, `none`.
Other cassette options: the marker's keyword arguments over `omnigate_vcr_config()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import inspect
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from omnigate_openai import AsyncOpenAI, OpenAI
    from omnigate_openai.testing._server import LocalGateway

__all__ = [
    "CASSETTE_MARKER",
    "MARKER",
    "RECORD_MODES",
    "REPLAY_API_KEY",
    "REPLAY_BASE_URL",
    "GatewayTarget",
    "Recorder",
    "_omnigate_shared_gateway",  # a fixture: listed so that `omnigate_openai.testing.pytest_plugin` re-exports it
    "cassette_config",
    "gateway_options",
    "local_gateway",
    "omnigate_async_client",
    "omnigate_cassette",
    "omnigate_cassette_dir",
    "omnigate_client",
    "omnigate_gateway",
    "omnigate_client_options",
    "omnigate_record_mode",
    "omnigate_recorder",
    "omnigate_target",
    "omnigate_vcr_config",
    "pytest_addoption",
    "pytest_configure",
    "pytest_recording_configure",
]

MARKER = "local_gateway"
CASSETTE_MARKER = "omnigate_cassette"

RECORD_MODES = ("once", "new_episodes", "none", "all", "rewrite")
"""vcrpy's record modes, and pytest-recording's `rewrite` (delete the cassette, then record it)."""

REPLAY_BASE_URL = "http://127.0.0.1:58000/v1"
"""Where replaying clients point. Nothing listens there: hosts and ports are never matched, nothing is sent."""
REPLAY_API_KEY = "llmg_<redacted-1>"
"""The key replaying clients send: the placeholder the first gateway key of a recording becomes."""

CASSETTE_OPTIONS = frozenset(
    {"record_mode", "match_on", "allow_playback_repeats", "drop_unused_requests", "scrub_user_id", "secrets"}
)
"""What `omnigate_vcr_config()` and the marker's keyword arguments may set."""

_RECORDING_PLUGIN = "recording"
"""pytest-recording's entry point name: when it is active, it owns `--record-mode` and we read it."""


# -- hooks ---------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if _recording_plugin_owns_record_mode(pluginmanager):
        return
    group = parser.getgroup("omnigate", "omnigate-openai recorded tests")
    with contextlib.suppress(ValueError):  # another plugin defines it with the same meaning: read theirs
        group.addoption(
            "--record-mode",
            action="store",
            default=None,
            choices=RECORD_MODES,
            help='Cassette record mode for omnigate_cassette tests (default "none": replay only).',
        )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(**options): options for the local_gateway fixture (LocalGateway's).")
    config.addinivalue_line(
        "markers",
        f"{CASSETTE_MARKER}(name=None, **options): the cassette of omnigate_cassette/omnigate_client; "
        f"options: {', '.join(sorted(CASSETTE_OPTIONS))}.",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(vcr: Any) -> None:
    """pytest-recording's VCR learns our body matcher, so `vcr_config()` may return `cassette_config()`."""
    from omnigate_openai.testing._cassettes import BODY_MATCHER, body_matcher

    vcr.register_matcher(BODY_MATCHER, body_matcher)


def cassette_config(*, scrub_user_id: bool = False, secrets: Iterable[str] = (), recorded: str = "") -> dict[str, Any]:
    """`use_cassette` keyword arguments with scrubbing and matching on (see `omnigate_openai.testing`)."""
    from omnigate_openai.testing._cassettes import cassette_config as config

    return config(scrub_user_id=scrub_user_id, secrets=secrets, recorded=recorded)


def _recording_plugin_owns_record_mode(pluginmanager: pytest.PytestPluginManager) -> bool:
    if pluginmanager.has_plugin(_RECORDING_PLUGIN):
        return True
    if pluginmanager.is_blocked(_RECORDING_PLUGIN) or os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return False  # installed or not, it won't define the option
    return importlib.util.find_spec("pytest_recording") is not None  # it will, once its entry point loads


# -- the local gateway ---------------------------------------------------------------------------


def gateway_options(marker: pytest.Mark | None) -> dict[str, Any]:
    """The marker's keyword arguments, refused by name if LocalGateway has no such option."""
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only, got {marker.args!r}")
    options = _gateway_option_names()
    unknown = sorted(set(marker.kwargs) - options)
    if unknown:
        raise pytest.UsageError(
            f"Unknown @pytest.mark.{MARKER} option(s) {unknown}; expected some of {sorted(options)}"
        )
    return dict(marker.kwargs)


def _gateway_option_names() -> frozenset[str]:
    from omnigate_openai.testing._server import LocalGateway

    return frozenset(inspect.signature(LocalGateway.__init__).parameters) - {"self"}


@pytest.fixture(scope="session")
def _omnigate_shared_gateway() -> Iterator[LocalGateway]:
    """The server behind `local_gateway` for tests without options: started once, reset per test."""
    from omnigate_openai.testing._server import LocalGateway

    with LocalGateway() as gateway:
        yield gateway


@pytest.fixture
def local_gateway(request: pytest.FixtureRequest) -> Iterator[LocalGateway]:
    """A fresh local gateway for the test, on a loopback port.

    Without options, the session's one server, reset before the test (`LocalGateway.reset()`: the same
    as a new one, only the port is kept), which is what makes a suite of many short tests fast. With
    `@pytest.mark.local_gateway(...)` options, a gateway of its own, stopped when the test ends. Either
    way a fault scheduled but never hit fails the test at teardown, as `strict=True` does.
    """
    from omnigate_openai.testing._server import LocalGateway

    options = gateway_options(request.node.get_closest_marker(MARKER))
    if options:
        with LocalGateway(**options) as own:
            yield own
        return
    gateway: LocalGateway = request.getfixturevalue("_omnigate_shared_gateway")
    if not gateway.is_running:  # a test stopped it: the next one still gets a server
        gateway.start()
    gateway.reset()
    yield gateway
    pending, strict = gateway.faults.pending, gateway.strict
    gateway.strict = True
    gateway.reset()  # nothing of this test's is left for a request still in flight, or for the session's end
    if strict and pending:
        raise AssertionError(f"Faults were scheduled on the local gateway but never hit: {', '.join(pending)}")


# -- cassettes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recorder:
    """Opens cassettes with scrubbing and body-aware matching on, in the test's record mode."""

    cassette_dir: Path
    record_mode: str
    options: Mapping[str, Any] = field(default_factory=dict)
    """Checked `CASSETTE_OPTIONS` (record mode excluded): `omnigate_vcr_config()` under the marker's."""

    @property
    def is_recording(self) -> bool:
        """False when nothing may be sent: the record mode is `none`."""
        return self.record_mode != "none"

    def path(self, name: str | os.PathLike[str]) -> Path:
        """`name` in the cassette directory (`.yaml` added); an absolute path is kept as it is."""
        path = Path(name)
        if not path.suffix:
            path = path.with_suffix(".yaml")
        return path if path.is_absolute() else self.cassette_dir / path

    @contextmanager
    def use_cassette(
        self, name: str | os.PathLike[str], *, record_mode: str | None = None, **options: Any
    ) -> Iterator[Any]:
        """Play (or record) `name` for the duration of the block. Yields vcrpy's `Cassette`.

        `record_mode=` pins the mode for this cassette, over the option and the marker: the reference
        cassettes of a real server are never re-recorded, whatever `--record-mode` says.
        """
        import vcr  # type: ignore[import-untyped]  # vcrpy ships no type information

        mode = _checked_record_mode(record_mode or self.record_mode, "use_cassette(record_mode=...)")
        merged = {**self.options, **_checked_options(options, "use_cassette()")}
        path = self.path(name)
        if mode == "rewrite":
            path.unlink(missing_ok=True)
            mode = "new_episodes"
        elif mode == "none" and not path.exists():
            raise FileNotFoundError(
                f"No cassette at {path}, and the record mode is 'none' (replay only): "
                "record it once with `pytest --record-mode=once`"
            )
        recorder = vcr.VCR()
        from omnigate_openai.testing._cassettes import BODY_MATCHER, body_matcher

        recorder.register_matcher(BODY_MATCHER, body_matcher)
        # A cassette recorded into (`new_episodes`, `all`) keeps its interactions: new secrets are numbered after
        # them. Not when only replaying: a live query's secret must get the number it was recorded with (the query
        # is matched as written, placeholder numbers included).
        extends = mode in ("new_episodes", "all") and path.exists()
        recorded = path.read_text(encoding="utf-8", errors="replace") if extends else ""
        config = cassette_config(
            scrub_user_id=merged.pop("scrub_user_id", False), secrets=merged.pop("secrets", ()), recorded=recorded
        )
        config.update(merged)
        with contextlib.ExitStack() as stack:
            try:
                cassette = stack.enter_context(recorder.use_cassette(str(path), record_mode=mode, **config))
            except Exception as error:  # vcrpy reads the file here: YAML and cassette-format errors name no file
                if not path.exists() or isinstance(error, FileNotFoundError):
                    raise
                first = (str(error).strip().splitlines() or [type(error).__name__])[0]
                raise ValueError(
                    f"Cassette {path} cannot be read ({type(error).__name__}: {first}); "
                    "record it anew with `pytest --record-mode=rewrite`"
                ) from error
            yield cassette


def _checked_options(options: Mapping[str, Any], where: str) -> dict[str, Any]:
    unknown = sorted(set(options) - CASSETTE_OPTIONS)
    if unknown:
        raise pytest.UsageError(
            f"Unknown cassette option(s) {unknown} in {where}; expected some of {sorted(CASSETTE_OPTIONS)}"
        )
    checked = dict(options)
    if "record_mode" in checked:
        checked["record_mode"] = _checked_record_mode(checked["record_mode"], where)
    return checked


def _checked_record_mode(mode: object, where: str) -> str:
    if mode not in RECORD_MODES:
        raise pytest.UsageError(f"Unknown record mode {mode!r} in {where}; expected one of {', '.join(RECORD_MODES)}")
    return str(mode)


def _cassette_marker(request: pytest.FixtureRequest) -> tuple[str | None, dict[str, Any]]:
    marker = request.node.get_closest_marker(CASSETTE_MARKER)
    if marker is None:
        return None, {}
    where = f"@pytest.mark.{CASSETTE_MARKER}"
    if len(marker.args) > 1 or (marker.args and not isinstance(marker.args[0], str)):
        raise pytest.UsageError(
            f"{where} takes at most one positional argument, the cassette name; got {marker.args!r}"
        )
    return (marker.args[0] if marker.args else None), _checked_options(marker.kwargs, where)


def _default_cassette_name(request: pytest.FixtureRequest) -> str:
    name = request.node.name if request.cls is None else f"{request.cls.__name__}.{request.node.name}"
    for character in "<>?%*:|\"'/\\":
        name = name.replace(character, "-")
    return name


@pytest.fixture
def omnigate_vcr_config() -> dict[str, Any]:
    """Override to set cassette options for a directory or module: record_mode, scrub_user_id, secrets, ..."""
    return {}


@pytest.fixture
def omnigate_cassette_dir(request: pytest.FixtureRequest) -> Path:
    """Override to move cassettes; by default `cassettes/<test module>/` beside the test module."""
    module = Path(request.path)
    return module.parent / "cassettes" / module.stem


@pytest.fixture
def omnigate_record_mode(request: pytest.FixtureRequest, omnigate_vcr_config: dict[str, Any]) -> str:
    """The option, over the marker, over `omnigate_vcr_config()`, over `none` (replay only)."""
    _, marked = _cassette_marker(request)
    configured = _checked_options(omnigate_vcr_config, "omnigate_vcr_config()")
    mode = request.config.getoption("record_mode", default=None) or marked.get("record_mode")
    return _checked_record_mode(mode or configured.get("record_mode") or "none", "--record-mode")


@pytest.fixture
def omnigate_recorder(
    request: pytest.FixtureRequest,
    omnigate_vcr_config: dict[str, Any],
    omnigate_cassette_dir: Path,
    omnigate_record_mode: str,
) -> Recorder:
    """Opens cassettes in this test's directory and record mode: `with omnigate_recorder.use_cassette("x"):`."""
    _, marked = _cassette_marker(request)
    options = {**_checked_options(omnigate_vcr_config, "omnigate_vcr_config()"), **marked}
    options.pop("record_mode", None)
    return Recorder(cassette_dir=Path(omnigate_cassette_dir), record_mode=omnigate_record_mode, options=options)


@pytest.fixture
def omnigate_cassette(request: pytest.FixtureRequest, omnigate_recorder: Recorder) -> Iterator[Any]:
    """The test's cassette, played (or recorded) for the whole test: the marker's name, else the test's."""
    name, _ = _cassette_marker(request)
    with omnigate_recorder.use_cassette(name or _default_cassette_name(request)) as cassette:
        yield cassette


# -- clients -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GatewayTarget:
    """Where the fixture clients point, and with which key."""

    base_url: str
    api_key: str = field(repr=False)


@pytest.fixture
def omnigate_gateway(request: pytest.FixtureRequest, omnigate_recorder: Recorder) -> LocalGateway | None:
    """The local gateway while recording (set faults on it), None while replaying (the cassette has them)."""
    if not omnigate_recorder.is_recording:
        return None
    gateway: LocalGateway = request.getfixturevalue("local_gateway")
    return gateway


@pytest.fixture
def omnigate_target(omnigate_gateway: LocalGateway | None) -> GatewayTarget:
    """The local gateway while recording; a placeholder address while replaying.

    Override it to record against a real OmniGate server (and keep its key out of the code).
    """
    if omnigate_gateway is None:
        return GatewayTarget(REPLAY_BASE_URL, REPLAY_API_KEY)
    return GatewayTarget(omnigate_gateway.base_url, omnigate_gateway.api_key)


@pytest.fixture
def omnigate_client_options() -> dict[str, Any]:
    """Extra keyword arguments of the fixture clients. No retries by default: a replayed gateway 429
    would make the SDK sleep its `Retry-After`, and a recording must hold one answer per call."""
    return {"max_retries": 0}


@pytest.fixture
def omnigate_client(
    omnigate_cassette: Any,  # noqa: ARG001 - requested so that the cassette is in place before the client
    omnigate_target: GatewayTarget,
    omnigate_client_options: dict[str, Any],
) -> Iterator[OpenAI]:
    """An `omnigate_openai.OpenAI` whose calls are played from (or recorded to) the test's cassette."""
    from omnigate_openai import OpenAI

    client = OpenAI(base_url=omnigate_target.base_url, api_key=omnigate_target.api_key, **omnigate_client_options)
    with client:
        yield client


@pytest.fixture
def omnigate_async_client(
    omnigate_cassette: Any,  # noqa: ARG001 - requested so that the cassette is in place before the client
    omnigate_target: GatewayTarget,
    omnigate_client_options: dict[str, Any],
) -> Iterator[AsyncOpenAI]:
    """An `omnigate_openai.AsyncOpenAI` whose calls are played from (or recorded to) the test's cassette."""
    import openai

    from omnigate_openai import AsyncOpenAI
    from omnigate_openai._sdk import httpx

    # A synchronous fixture, so that no async plugin is needed. The test's event loop has ended by the
    # time it is torn down, so the client keeps no idle connection that would need that loop to close.
    no_idle_connections: Any = httpx.Limits(max_keepalive_connections=0)  # httpx or httpx2, by the openai major
    options = {"http_client": openai.DefaultAsyncHttpxClient(limits=no_idle_connections), **omnigate_client_options}
    client = AsyncOpenAI(base_url=omnigate_target.base_url, api_key=omnigate_target.api_key, **options)
    yield client
    if not client.is_closed():
        asyncio.run(client.close())
