"""A real LiteLLM proxy on loopback, mounted where the Flow platform mounts its gateway, fully offline.

The Flow gateway is LiteLLM behind the platform, so the nearest real thing to hold `flow.OpenAI` to
is LiteLLM itself: `litellm[proxy]` from the package index, in its own venv (`make .venvs/litellm/.installed`,
pinned in `requirements/litellm.txt`), run as a subprocess with
- `SERVER_ROOT_PATH=/api/v1/gateway`, so its OpenAI routes answer at `<root>/api/v1/gateway/v1/...`;
- a master key as the bearer credential, and no database;
- `LITELLM_LOCAL_MODEL_COST_MAP=True` and telemetry off, so it fetches nothing from the internet;
- every model routed to an offline OpenAI-compatible upstream on loopback: a `LocalFlowGateway`
  (its deterministic model, tools and `response_format` honoured, embeddings), whose faults make
  the upstream fail so that LiteLLM's own error envelopes and mappings reach the client.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _processes import free_port, stop
from omnigate_openai.testing import LocalFlowGateway

ROOT_PATH = "/api/v1/gateway"
LITELLM_VENV = Path(__file__).resolve().parents[2] / ".venvs" / "litellm"
STARTUP_TIMEOUT = 180.0
"""Seconds: importing the proxy takes 15-45 s on a loaded 2-core machine."""

_DEAD_PROXY = "http://127.0.0.1:9"
"""The discard port: nothing listens there, so a connection attempt fails immediately."""

MODELS = (
    "openai/gpt-4o",
    "openai/gpt-5-mini",  # of the GPT-5 family, for which LiteLLM forwards `verbosity`
    "openai/gpt-5.5",  # reasons unless told `reasoning_effort="none"`; only then does LiteLLM take a temperature
    "anthropic/claude-sonnet-4-20250514",
    "openai/text-embedding-3-small",
)
"""The `provider/model` names the proxy routes, as Flow names them; all go to the offline upstream."""

ALIASES = {"gpt-5-mini": "openai/gpt-4o"}
"""Bare `model_name`s of the model list and the Flow model each stands for: what a bare name the client is
given may be (this one sounds like GPT-5, is GPT-4o, and LiteLLM refuses its `verbosity`)."""


@dataclass
class LiteLLMProxy:
    """A running proxy: `base_url` is the platform root a Flow client is given, `master_key` its token."""

    base_url: str
    master_key: str
    upstream: LocalFlowGateway
    startup_seconds: float
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def litellm_executable() -> Path:
    executable = LITELLM_VENV / "bin" / "litellm"
    if not executable.exists():
        raise RuntimeError(
            f"No LiteLLM proxy at {executable}: build its venv with `make .venvs/litellm/.installed` "
            "(`make test` does it first)"
        )
    return executable


def _config(upstream: LocalFlowGateway, master_key: str) -> str:
    # `openai/<flow name>`: LiteLLM strips its own `openai/` prefix, so the upstream sees the Flow name.
    routes = {**{name: name for name in MODELS}, **ALIASES}
    entries = "".join(
        f"""
  - model_name: {name}
    litellm_params:
      model: openai/{flow_name}
      api_base: {upstream.gateway_url}
      api_key: {upstream.auth_token}
"""
        for name, flow_name in routes.items()
    )
    return f"""model_list:{entries}
general_settings:
  master_key: {master_key}
litellm_settings:
  telemetry: false
  num_retries: 0
  request_timeout: 30
router_settings:
  disable_cooldowns: true  # else one injected failure benches the deployment: 429 "No deployments available"
  num_retries: 0
"""


@contextlib.contextmanager
def running_proxy(workdir: Path, *, master_key: str) -> Iterator[LiteLLMProxy]:
    """Start the upstream and the proxy, wait (bounded) until the proxy answers, stop both afterwards."""
    executable = litellm_executable()
    with LocalFlowGateway(strict=False) as upstream:
        config = workdir / "litellm.yaml"
        config.write_text(_config(upstream, master_key))
        log_path = workdir / "litellm.log"
        port = free_port()
        env = {
            "PATH": f"{executable.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(workdir),
            "SERVER_ROOT_PATH": ROOT_PATH,
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no download of the model cost map
            "LITELLM_TELEMETRY": "False",
            "LITELLM_MODE": "PRODUCTION",  # no .env loading
            "NO_DOCS": "True",
            "NO_REDOC": "True",
            # Anything that tries the internet anyway meets a dead loopback proxy and fails at once.
            "HTTP_PROXY": _DEAD_PROXY,
            "HTTPS_PROXY": _DEAD_PROXY,
            "ALL_PROXY": _DEAD_PROXY,
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONUNBUFFERED": "1",
        }
        started = time.monotonic()
        with log_path.open("wb") as log:  # the child keeps its own handle
            process = subprocess.Popen(
                [str(executable), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=workdir,
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_alive(process, f"{base_url}{ROOT_PATH}/health/liveliness", log_path)
            yield LiteLLMProxy(base_url, master_key, upstream, time.monotonic() - started, log_path)
        finally:
            stop(process, timeout=15)


def _wait_until_alive(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The LiteLLM proxy exited ({process.returncode}):\n{_tail(log_path)}")
        with contextlib.suppress(OSError, urllib.error.URLError), urllib.request.urlopen(url, timeout=2.0) as answer:
            if answer.status == 200:
                return
        time.sleep(0.25)
    raise TimeoutError(f"The LiteLLM proxy did not answer within {STARTUP_TIMEOUT:.0f} s:\n{_tail(log_path)}")


_PASSES_ON = """
import json, sys
from litellm.litellm_core_utils.get_llm_provider_logic import resolve_model_and_provider_for_metadata
from litellm.utils import get_supported_openai_params
answers = {}
for name in json.loads(sys.argv[1]):
    # As `completion` does: the provider and model from the name (no sign-in for ChatGPT's or Copilot's),
    # then that provider's chat config for that model; a name LiteLLM cannot route is refused whole.
    try:
        model, provider = resolve_model_and_provider_for_metadata(name)
        params = get_supported_openai_params(model=model, custom_llm_provider=provider)
    except Exception:
        params = None
    answers[name] = params is not None and sys.argv[2] in params
print(json.dumps(answers))
"""


def litellm_passes_on(parameter: str, names: list[str]) -> dict[str, bool]:
    """Whether LiteLLM passes the chat `parameter` on to each of `names` (Flow names), by its own rule."""
    return ask_litellm(_PASSES_ON, names, parameter)


def ask_litellm(script: str, names: list[str], *args: str) -> dict[str, Any]:
    """What LiteLLM itself answers, offline, in its venv: `script` reads `names` (JSON) from `sys.argv[1]` (and
    `args` after it) and prints one JSON object, keyed by name, as its last line."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "HTTP_PROXY": _DEAD_PROXY,
        "HTTPS_PROXY": _DEAD_PROXY,
    }
    done = subprocess.run(
        [str(LITELLM_VENV / "bin" / "python"), "-c", script, json.dumps(names), *args],
        capture_output=True,
        text=True,
        timeout=150,
        env=env,
        check=True,
    )
    answers: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answers


def _tail(path: Path) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-40:])


__all__ = [
    "MODELS",
    "ROOT_PATH",
    "LiteLLMProxy",
    "ask_litellm",
    "litellm_executable",
    "litellm_passes_on",
    "running_proxy",
]
