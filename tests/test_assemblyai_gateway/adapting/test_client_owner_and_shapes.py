"""The shared settings (overrides, the owned client) and the wire rules written once."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import httpx
import pytest

from assemblyai_gateway._adapting.client_owner import (
    ClientCache,
    ClientSettings,
    GatewayClientOwner,
    merge_overrides,
)
from assemblyai_gateway._limiter.adaptive import AdaptiveLimiter
from assemblyai_gateway._wire.shapes import (
    ToolArgumentsError,
    stable_tool_call_id,
    tool_arguments_object,
    wire_tool_call,
)
from assemblyai_gateway._wire.types import ChatCompletionRequest
from langchain_assemblyai_gateway import ChatAssemblyAIGateway
from llama_index_assemblyai_gateway import AssemblyAIGateway


def test_later_overrides_win_and_none_removes_a_setting_without_touching_the_sources() -> None:
    settings = {"model": "gpt-5", "temperature": 0.2, "max_tokens": 10}
    call = {"temperature": None, "max_tokens": 20, "seed": 7}

    merged = merge_overrides(settings, call)

    assert merged == {"model": "gpt-5", "max_tokens": 20, "seed": 7}
    assert settings == {"model": "gpt-5", "temperature": 0.2, "max_tokens": 10}
    assert call == {"temperature": None, "max_tokens": 20, "seed": 7}


def test_the_cache_rebuilds_only_when_a_client_setting_changed() -> None:
    cache = ClientCache()
    first = cache.get(ClientSettings(api_key="k", max_retries=1))
    assert cache.get(ClientSettings(api_key="k", max_retries=1)) is first
    second = cache.get(ClientSettings(api_key="k", max_retries=3))
    assert second is not first
    assert second.max_retries == 3


def test_injected_clients_count_by_identity() -> None:
    with httpx.Client() as one, httpx.Client() as other:
        cache = ClientCache()
        first = cache.get(ClientSettings(api_key="k", http_client=one))
        assert cache.get(ClientSettings(api_key="k", http_client=one)) is first
        assert cache.get(ClientSettings(api_key="k", http_client=other)) is not first


def test_a_cache_never_pickles_or_copies_its_pools() -> None:
    cache = ClientCache()
    cache.get(ClientSettings(api_key="k"))
    assert pickle.loads(pickle.dumps(cache)).client is None
    assert copy.deepcopy(cache).client is None
    assert cache.client is not None


class _Owner(GatewayClientOwner):
    def __init__(self, http_client: Any = None) -> None:
        self.http_client = http_client

    def _client_settings(self) -> ClientSettings:
        return ClientSettings(api_key="k", http_client=self.http_client)


def test_an_owner_with_an_injected_client_refuses_to_pickle_by_name() -> None:
    with httpx.Client() as client, pytest.raises(TypeError, match="_Owner with an injected"):
        pickle.dumps(_Owner(http_client=client))


# A value unlike the default for each setting an adapter holds as a plain field.
_GIVEN = {
    "api_key": "k-given",
    "base_url": "https://gateway.example/v1",
    "region": "eu",
    "timeout": 33.0,
    "max_retries": 5,
    "enforce_region": False,
    "attempt_deadline": 44.0,
    "max_response_bytes": 1234,
    "max_event_size": 567,
    "max_stream_bytes": 8910,
}


@pytest.mark.parametrize(
    ("adapter", "async_client_field"),
    [(ChatAssemblyAIGateway, "http_async_client"), (AssemblyAIGateway, "async_http_client")],
)
async def test_each_adapter_passes_every_client_setting_by_name(
    adapter: type[GatewayClientOwner], async_client_field: str
) -> None:
    limiter = AdaptiveLimiter()
    with httpx.Client() as sync_client:
        async with httpx.AsyncClient() as async_client:
            llm = adapter(  # type: ignore[call-arg]
                **_GIVEN,
                http_client=sync_client,
                **{async_client_field: async_client},
                limiter=limiter,
            )

            settings = llm._client_settings()

    # Every setting arrives, none left at its default: a setting the adapter forgot
    # to pass (or a new one) fails here.
    left = [f.name for f in dataclasses.fields(settings) if getattr(settings, f.name) == f.default]
    assert left == []
    assert settings.api_key.get_secret_value() == "k-given"
    assert {name: getattr(settings, name) for name in _GIVEN if name != "api_key"} == {
        name: value for name, value in _GIVEN.items() if name != "api_key"
    }
    assert (settings.http_client, settings.http_async_client) == (sync_client, async_client)
    assert settings.limiter is limiter


def test_the_wire_request_accepts_the_shorthand_spellings() -> None:
    request = ChatCompletionRequest(
        model="x", prompt="p", fallbacks=["gpt-5"], post_processing_steps=["json-repair"]
    )
    payload = request.to_payload()
    assert payload["fallbacks"] == [{"model": "gpt-5"}]
    assert payload["post_processing_steps"] == [{"type": "json-repair"}]


def test_a_wire_tool_call_without_an_id_gets_the_stable_one() -> None:
    call = wire_tool_call("add", {"a": 1}, index=2)
    assert call == {
        "id": stable_tool_call_id(2, "add", '{"a": 1}'),
        "type": "function",
        "function": {"name": "add", "arguments": '{"a": 1}'},
    }
    assert wire_tool_call("add", "{}", "")["id"] == ""  # an id given, even empty, is kept


@pytest.mark.parametrize(
    ("text", "problem"),
    [('{"a": 1', "are not valid JSON"), ("[1]", "are not a JSON object"), ("null", "object")],
)
def test_tool_arguments_must_be_a_json_object(text: str, problem: str) -> None:
    with pytest.raises(ToolArgumentsError, match=problem):
        tool_arguments_object("add", text)
    assert tool_arguments_object("add", '{"a": 1}') == {"a": 1}
    assert tool_arguments_object("add", "  ") == {}


def test_every_client_setting_is_part_of_the_key_that_picks_the_client() -> None:
    # The key is written out field by field; a field left out of it would let a changed
    # setting keep serving the old client.
    base = ClientSettings(api_key="k")
    for field in dataclasses.fields(ClientSettings):
        marker: Any = object()
        changed = dataclasses.replace(base, **{field.name: marker})
        assert changed.key() != base.key(), field.name
