"""The shared settings (overrides, the owned client) and the wire rules written once."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import httpx
import pytest

from assemblyai_gateway.settings import (
    ClientCache,
    ClientSettings,
    GatewayClientOwner,
    merge_overrides,
)
from assemblyai_gateway.types import ChatCompletionRequest
from assemblyai_gateway.wire import (
    ToolArgumentsError,
    stable_tool_call_id,
    tool_arguments_object,
    wire_tool_call,
)


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
    api_key, base_url, region, timeout = "k", None, None, None
    max_retries, enforce_region, http_async_client = 2, True, None

    def __init__(self, http_client: Any = None) -> None:
        self.http_client = http_client


def test_an_owner_with_an_injected_client_refuses_to_pickle_by_name() -> None:
    with httpx.Client() as client, pytest.raises(TypeError, match="_Owner with an injected"):
        pickle.dumps(_Owner(http_client=client))


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
