"""`client.responses` keeps the SDK's resource: same class tree, same methods, same signatures."""

from __future__ import annotations

import inspect

import openai
import pytest
from openai.resources.responses import AsyncResponses as SDKAsyncResponses
from openai.resources.responses import Responses as SDKResponses

import omnigate_openai as og
from omnigate_openai._responses_resource import AsyncResponses, Responses

PUBLIC = sorted(name for name in dir(SDKResponses) if not name.startswith("_"))


@pytest.mark.parametrize(("ours", "theirs"), [(Responses, SDKResponses), (AsyncResponses, SDKAsyncResponses)])
@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_method_keeps_the_sdks_signature(ours: type, theirs: type, name: str) -> None:
    mine, sdk = getattr(ours, name), getattr(theirs, name)
    if callable(mine) and not isinstance(inspect.getattr_static(ours, name), property):
        assert inspect.signature(mine) == inspect.signature(sdk)


@pytest.mark.parametrize("name", [name for name in PUBLIC if callable(getattr(SDKResponses, name))])
def test_sync_and_async_twins_take_the_same_parameters(name: str) -> None:
    sync, async_ = inspect.signature(getattr(Responses, name)), inspect.signature(getattr(AsyncResponses, name))
    assert list(sync.parameters) == list(async_.parameters)


def test_the_clients_mount_the_gateway_resource() -> None:
    with og.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="test-key") as client:
        assert isinstance(client.responses, Responses)
        assert isinstance(client.responses, openai.resources.responses.Responses)
        assert client.responses is client.responses
        assert isinstance(client.with_options(timeout=3).responses, Responses)
    aclient = og.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="test-key")
    assert isinstance(aclient.responses, AsyncResponses)
