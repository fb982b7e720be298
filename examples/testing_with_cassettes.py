"""Testing code that uses the gateway: record its calls once, then replay them offline.

    python examples/testing_with_cassettes.py

The same as the pytest plugin does (`pip install '.[testing,vcr]'` in a clone):

    @pytest.mark.omnigate_cassette("hello")
    def test_hello(omnigate_client):                 # pytest --record-mode=once records it once;
        assert summarise(omnigate_client) == "..."   # plain `pytest` replays it with no gateway at all

This script records one call of `summarise` from the gateway (the local one unless OMNIGATE_BASE_URL
is set) into a cassette in a temporary directory, shows that no secret was written, then replays
it with the gateway gone and the client pointed nowhere.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from _gateway import configured_gateway

from omnigate_openai import OpenAI
from omnigate_openai.testing.pytest_plugin import REPLAY_API_KEY, REPLAY_BASE_URL, Recorder


def summarise(client: OpenAI) -> str:
    """The code under test: any function that takes a gateway client."""
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Summarise: gateways route LLM calls."}]
    )
    return completion.choices[0].message.content or ""


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        cassette = Path(directory) / "summarise.yaml"

        with configured_gateway() as gateway, gateway.client(max_retries=0) as client:
            print(f"Recording from {gateway.where}.")
            with Recorder(cassette_dir=Path(directory), record_mode="once").use_cassette(cassette.name):
                recorded = summarise(client)
            key = gateway.api_key
        print(f"  recorded: {recorded!r}")
        text = cassette.read_text()
        print(f"  cassette: {len(text)} bytes; gateway key in it: {bool(key) and key in text}")

        with (
            Recorder(cassette_dir=Path(directory), record_mode="none").use_cassette(cassette.name),
            OpenAI(base_url=REPLAY_BASE_URL, api_key=REPLAY_API_KEY, max_retries=0) as offline,
        ):
            replayed = summarise(offline)
        print(f"Replayed with no gateway running: {replayed!r}")
        assert replayed == recorded


if __name__ == "__main__":
    main()
