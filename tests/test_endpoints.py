"""Endpoints OmniGate lacks are refused before sending, naming the endpoint and the gateway.

Without the refusal each of these calls reaches the gateway and comes back as a bare
`APIError: Not Found`. One row per SDK resource the gateway lacks (present under openai 2.x and 3.x
alike), run by a sync and an async driver; the local gateway's call log proves nothing was sent.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway


@dataclasses.dataclass(frozen=True)
class Lacked:
    resource: str
    """How the error names it."""
    endpoint: str
    """The request it would have sent."""
    call: Callable[[Any], Any]


_STORED = "client.chat.completions stored completions (list, retrieve, update, delete, messages)"
LACKED = [
    Lacked("client.embeddings", "POST /v1/embeddings", lambda c: c.embeddings.create(model="e", input="hi")),
    Lacked("client.images", "POST /v1/images/generations", lambda c: c.images.generate(prompt="a cat")),
    Lacked(
        "client.audio",
        "POST /v1/audio/speech",
        lambda c: c.audio.speech.create(model="tts-1", voice="alloy", input="hi"),
    ),
    Lacked("client.moderations", "POST /v1/moderations", lambda c: c.moderations.create(input="hi")),
    Lacked("client.files", "GET /v1/files", lambda c: c.files.list()),
    Lacked(
        "client.completions (legacy completions)",
        "POST /v1/completions",
        lambda c: c.completions.create(model="gpt-3.5-turbo-instruct", prompt="hi"),
    ),
    Lacked("client.batches", "GET /v1/batches", lambda c: c.batches.list()),
    Lacked(
        "client.uploads",
        "POST /v1/uploads",
        lambda c: c.uploads.create(bytes=1, filename="a.txt", mime_type="text/plain", purpose="batch"),
    ),
    Lacked("client.vector_stores", "GET /v1/vector_stores", lambda c: c.vector_stores.list()),
    Lacked("client.fine_tuning", "GET /v1/fine_tuning/jobs", lambda c: c.fine_tuning.jobs.list()),
    Lacked("client.beta.assistants", "GET /v1/assistants", lambda c: c.beta.assistants.list()),
    Lacked("client.beta.threads", "POST /v1/threads", lambda c: c.beta.threads.create()),
    Lacked("client.containers", "GET /v1/containers", lambda c: c.containers.list()),
    Lacked("client.conversations", "POST /v1/conversations", lambda c: c.conversations.create()),
    Lacked("client.evals", "GET /v1/evals", lambda c: c.evals.list()),
    Lacked("client.videos", "GET /v1/videos", lambda c: c.videos.list()),
    Lacked("client.skills", "GET /v1/skills", lambda c: c.skills.list()),
    Lacked("client.realtime", "POST /v1/realtime/client_secrets", lambda c: c.realtime.client_secrets.create()),
    Lacked("client.admin", "GET /v1/organization/projects", lambda c: c.admin.organization.projects.list()),
    # Within the resources OmniGate serves, the methods it lacks: stored chat completions, model deletion.
    Lacked(_STORED, "GET /v1/chat/completions", lambda c: c.chat.completions.list()),
    Lacked(_STORED, "GET /v1/chat/completions/chatcmpl-1", lambda c: c.chat.completions.retrieve("chatcmpl-1")),
    Lacked(
        _STORED,
        "POST /v1/chat/completions/chatcmpl-1",
        lambda c: c.chat.completions.update("chatcmpl-1", metadata={"a": "b"}),
    ),
    Lacked(_STORED, "DELETE /v1/chat/completions/chatcmpl-1", lambda c: c.chat.completions.delete("chatcmpl-1")),
    Lacked(
        _STORED,
        "GET /v1/chat/completions/chatcmpl-1/messages",
        lambda c: c.chat.completions.messages.list("chatcmpl-1"),
    ),
    Lacked("client.models.delete", "DELETE /v1/models/ft-1", lambda c: c.models.delete("ft-1")),
    # Every way of calling goes through the same hook.
    Lacked(
        "client.embeddings",
        "POST /v1/embeddings",
        lambda c: c.embeddings.with_raw_response.create(model="e", input="hi"),
    ),
    Lacked("client.files", "GET /v1/files", lambda c: c.files.with_streaming_response.list()),
]
IDS = [f"{row.endpoint} #{index}" for index, row in enumerate(LACKED)]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the Assistants and Sora APIs say they go


def _send(client: og.OpenAI, row: Lacked) -> None:
    result = row.call(client)
    if hasattr(result, "__enter__"):  # `with_streaming_response` sends on entering
        result.__enter__()


async def _asend(client: og.AsyncOpenAI, row: Lacked) -> None:
    result = row.call(client)
    if hasattr(result, "__aenter__"):  # `with_streaming_response` sends on entering
        await result.__aenter__()
    else:
        await result


def _message(row: Lacked) -> str:
    return re.escape(f"OmniGate does not serve `{row.resource}` (`{row.endpoint}`)")


@pytest.mark.parametrize("row", LACKED, ids=IDS)
def test_sync_call_is_refused_before_sending(client: og.OpenAI, local_gateway: LocalGateway, row: Lacked) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match=_message(row)) as caught:
        _send(client, row)
    assert caught.value.field == row.resource
    assert isinstance(caught.value, og.GatewayError)
    assert "the gateway has no such route, so nothing was sent" in str(caught.value)
    assert len(local_gateway.calls) == 0


@pytest.mark.parametrize("row", LACKED, ids=IDS)
async def test_async_call_is_refused_before_sending(
    async_client: og.AsyncOpenAI, local_gateway: LocalGateway, row: Lacked
) -> None:
    with pytest.raises(og.UnsupportedFeatureError, match=_message(row)) as caught:
        await _asend(async_client, row)
    assert caught.value.field == row.resource
    assert len(local_gateway.calls) == 0


def test_served_endpoints_still_reach_the_gateway(client: og.OpenAI, local_gateway: LocalGateway) -> None:
    """The refusal is by resource: chat, models and the gateway's own routes are sent as before."""
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    client.models.list()
    client.gateway.me()
    client.gateway.health()
    paths = [call.path for call in local_gateway.calls]
    assert "/v1/chat/completions" in paths
    assert "/v1/me" in paths
    assert "/health" in paths
