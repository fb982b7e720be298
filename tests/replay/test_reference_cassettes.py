"""The ground truth: every reference cassette of a real OmniGate 0.2.0, replayed through the plugin.

Each interaction is sent again, in order, by a gateway client (setup included), and each interaction
under test must give the outcome `index.json` states: status, message, fields, and the error class
the shim raises. Replay only: the network guard fails any test that opens a socket.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

import omnigate_openai as og
from omnigate_openai._sdk import httpx
from omnigate_openai.testing.pytest_plugin import Recorder

from ._reference import (
    REFUSED,
    REPLAY_KEY,
    REWRITTEN,
    ROOT_URL,
    Reference,
    Result,
    Step,
    check_outcome,
    load_references,
    uses_high_level_call,
)
from .conftest import REPLAYED

REFERENCES = load_references()
BY_NAME = {reference.name: reference for reference in REFERENCES}


def test_every_reference_cassette_is_indexed() -> None:
    on_disk = {path.stem for path in REFERENCES[0].path.parent.glob("*.yaml")}
    assert on_disk == set(BY_NAME)
    assert len(REFERENCES) == 112


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda reference: reference.name)
def test_sync_replay_gives_the_recorded_outcome(reference: Reference, omnigate_recorder: Recorder) -> None:
    with (
        omnigate_recorder.use_cassette(reference.path, record_mode="none") as cassette,
        og.OpenAI(base_url=ROOT_URL, api_key=REPLAY_KEY, max_retries=0, emulate_tools=False) as client,
    ):
        for step in reference.steps:
            check_outcome(reference, step, _run(client, reference, step))
        assert cassette.all_played
    REPLAYED.setdefault(reference.name, set()).add("sync")


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda reference: reference.name)
async def test_async_replay_gives_the_recorded_outcome(reference: Reference, omnigate_recorder: Recorder) -> None:
    with omnigate_recorder.use_cassette(reference.path, record_mode="none") as cassette:
        async with og.AsyncOpenAI(base_url=ROOT_URL, api_key=REPLAY_KEY, max_retries=0, emulate_tools=False) as client:
            for step in reference.steps:
                check_outcome(reference, step, await _arun(client, reference, step))
        assert cassette.all_played
    REPLAYED.setdefault(reference.name, set()).add("async")


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_body_the_gateway_would_degrade_is_refused_before_sending(name: str) -> None:
    """With tool emulation off (the strict switch), what these cassettes show degraded is refused."""
    body = _compat_body(BY_NAME[name])
    with (
        og.OpenAI(base_url=ROOT_URL, api_key=REPLAY_KEY, max_retries=0, emulate_tools=False) as client,
        pytest.raises(og.UnsupportedFeatureError) as caught,
    ):
        client.chat.completions.create(**body)
    field = REFUSED[name]
    assert caught.value.field == field
    for part in field.split("."):  # `messages[1].tool_calls`: the message names the message and the field
        assert part in str(caught.value)
    # `no_network` fails the test if a connection was attempted.


@pytest.mark.parametrize("name", sorted(REWRITTEN))
def test_a_lossless_rewrite_is_sent_instead_of_the_recorded_body(name: str, omnigate_recorder: Recorder) -> None:
    reference = BY_NAME[name]
    where, value = REWRITTEN[name]
    with (
        omnigate_recorder.use_cassette(reference.path, record_mode="none"),
        og.OpenAI(base_url=ROOT_URL, api_key=REPLAY_KEY, max_retries=0) as client,
    ):
        for step in reference.steps[:-1]:
            check_outcome(reference, step, _run(client, reference, step))
        with pytest.raises(Exception) as caught:  # noqa: PT011 - which wrapper depends on the openai major
            client.chat.completions.create(**_compat_body(reference))
    # The rewritten request reached the cassette, not the network, and did not match the recorded body.
    unmatched = _in_chain(caught.value, CannotOverwriteExistingCassetteException)
    sent = json.loads(unmatched.failed_request.body)
    assert _at(sent, where) == value


def _in_chain(error: BaseException, cls: type[CannotOverwriteExistingCassetteException]) -> Any:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, cls):
            return seen
        seen = seen.__cause__ or seen.__context__
    raise AssertionError(f"{cls.__name__} not in the chain of {error!r}")


def _compat_body(reference: Reference) -> dict[str, object]:
    step = reference.steps[-1]
    assert step.kind == "compat"
    assert isinstance(step.body, dict)
    return dict(step.body)


def _at(data: object, where: str) -> object:
    for part in where.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]  # type: ignore[index]
    return data


# -- the drivers: one interaction, sent the way a user of the shim would send it ----------------


def _run(client: og.OpenAI, reference: Reference, step: Step) -> Result:
    result = Result()
    try:
        if uses_high_level_call(reference, step) and step.body.get("stream"):
            for chunk in client.chat.completions.create(**step.body):
                result.chunks.append(chunk)
        elif uses_high_level_call(reference, step):
            result.completion = client.chat.completions.create(**step.body)
        elif step.kind == "native-stream":
            response = client.post(step.uri, body=step.body, cast_to=httpx.Response, stream=True)
            try:
                result.text = "".join(response.iter_text())
            finally:
                response.close()
            result.response = response
        elif step.method == "GET":
            result.response = client.get(step.uri, cast_to=httpx.Response)
        elif step.method == "DELETE":
            result.response = client.delete(step.uri, cast_to=httpx.Response)
        elif step.is_json:
            result.response = client.post(step.uri, body=step.body, cast_to=httpx.Response)
        else:
            result.response = client.post(step.uri, content=step.body.encode(), cast_to=httpx.Response, options=_JSON)
    except openai.APIStatusError as exc:
        result.error = exc
    return result


async def _arun(client: og.AsyncOpenAI, reference: Reference, step: Step) -> Result:
    result = Result()
    try:
        if uses_high_level_call(reference, step) and step.body.get("stream"):
            async for chunk in await client.chat.completions.create(**step.body):
                result.chunks.append(chunk)
        elif uses_high_level_call(reference, step):
            result.completion = await client.chat.completions.create(**step.body)
        elif step.kind == "native-stream":
            response = await client.post(step.uri, body=step.body, cast_to=httpx.Response, stream=True)
            try:
                result.text = "".join([text async for text in response.aiter_text()])
            finally:
                await response.aclose()
            result.response = response
        elif step.method == "GET":
            result.response = await client.get(step.uri, cast_to=httpx.Response)
        elif step.method == "DELETE":
            result.response = await client.delete(step.uri, cast_to=httpx.Response)
        elif step.is_json:
            result.response = await client.post(step.uri, body=step.body, cast_to=httpx.Response)
        else:
            result.response = await client.post(
                step.uri, content=step.body.encode(), cast_to=httpx.Response, options=_JSON
            )
    except openai.APIStatusError as exc:
        result.error = exc
    return result


_JSON: dict[str, object] = {"headers": {"content-type": "application/json"}}
"""The malformed-body cassettes sent their bytes as JSON; the low-level call sends them as they are."""
