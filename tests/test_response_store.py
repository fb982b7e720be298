"""The response store: bounded, least recently used first out, shared by copies, JSON-ready for other backends."""

from __future__ import annotations

import json
import threading

import pytest
from openai.types.responses import Response

import omnigate_openai as og
from omnigate_openai.testing import LocalGateway


def _response(response_id: str) -> Response:
    return Response.model_validate(
        {
            "id": response_id,
            "object": "response",
            "created_at": 1.0,
            "model": "gpt-4o-mini",
            "output": [],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }
    )


def _stored(response_id: str) -> og.StoredResponse:
    return og.StoredResponse(_response(response_id), ({"role": "user", "content": response_id},))


def test_the_least_recently_used_response_is_forgotten_first() -> None:
    store = og.MemoryResponseStore(max_responses=2)
    store.put(_stored("a"))
    store.put(_stored("b"))
    assert store.get("a") is not None  # now "b" is the least recently used
    store.put(_stored("c"))
    assert [rid for rid in "abc" if store.get(rid) is not None] == ["a", "c"]
    assert len(store) == 2
    assert store.delete("a") is True
    assert store.delete("a") is False
    assert repr(store) == "MemoryResponseStore(max_responses=2, held=1)"


@pytest.mark.parametrize("size", [0, -1, 1.5, True, "10"])
def test_the_size_must_be_a_positive_int(size: object) -> None:
    with pytest.raises(ValueError, match=r"Expected `max_responses` to be a positive int, got"):
        og.MemoryResponseStore(max_responses=size)  # type: ignore[arg-type]


def test_concurrent_puts_stay_within_the_bound() -> None:
    store = og.MemoryResponseStore(max_responses=50)

    def fill(prefix: str) -> None:
        for number in range(200):
            store.put(_stored(f"{prefix}{number}"))

    threads = [threading.Thread(target=fill, args=(prefix,)) for prefix in "wxyz"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(store) == 50


def test_an_entry_survives_a_json_round_trip() -> None:
    stored = _stored("resp_1")
    again = og.StoredResponse.from_json(json.loads(json.dumps(stored.to_json())))
    assert again == stored


def test_a_client_takes_any_store_and_its_copies_share_it(local_gateway: LocalGateway) -> None:
    class DictStore:
        """A store with the three methods only: what a Redis-backed one would implement."""

        def __init__(self) -> None:
            self.entries: dict[str, object] = {}

        def get(self, response_id: str) -> og.StoredResponse | None:
            data = self.entries.get(response_id)
            return None if data is None else og.StoredResponse.from_json(json.loads(str(data)))

        def put(self, stored: og.StoredResponse) -> None:
            self.entries[stored.response.id] = json.dumps(stored.to_json())

        def delete(self, response_id: str) -> bool:
            return self.entries.pop(response_id, None) is not None

    store = DictStore()
    with og.OpenAI(base_url=local_gateway.base_url, api_key=local_gateway.api_key, response_store=store) as client:
        assert client.response_store is store
        for copy in (
            client.copy(),
            client.with_options(timeout=5),
            client.with_user("u"),
            client.with_routing(cache=True),
        ):
            assert copy.response_store is store
        first = client.responses.create(model="gpt-4o-mini", input="Say hello.")
        assert list(store.entries) == [first.id]
        client.with_user("u").responses.create(model="gpt-4o-mini", input="More.", previous_response_id=first.id)
        assert [m["role"] for m in local_gateway.calls.last.json["messages"]] == ["user", "assistant", "user"]


def test_the_default_store_is_bounded() -> None:
    with og.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="test-key") as client:
        store = client.response_store
        assert isinstance(store, og.MemoryResponseStore)
        assert store.max_responses == 1000
