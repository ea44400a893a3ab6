"""Capability decisions consider every model a request can reach: primary and fallbacks."""

from __future__ import annotations

import doctest
from typing import Any

import pytest

from assemblyai_gateway import catalog
from assemblyai_gateway._wire.types import Fallback
from assemblyai_gateway.catalog import route_capabilities
from assemblyai_gateway.errors import InvalidRequestError, ModelNotAvailableInRegionError
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.client_cases import (
    CLAUDE,
    GPT,
    CollectStream,
    Complete,
    MakeClient,
    fold,
    text_stream,
)

Json = dict[str, Any]
SCHEMA_FORMAT: Json = {
    "type": "json_schema",
    "json_schema": {"name": "r", "schema": {"type": "object", "properties": {}}},
}


def test_a_route_shares_only_what_every_model_has() -> None:
    route = route_capabilities("gpt-4.1", ["claude-sonnet-4-5-20250929", {"model": "gpt-oss-120b"}])

    assert route.model_ids == ("gpt-4.1", "claude-sonnet-4-5-20250929", "gpt-oss-120b")
    assert (route.native_streaming, route.supports_json_schema, route.eu_available) == (
        False,
        False,
        False,
    )
    assert route.lacking("native_streaming") == ("claude-sonnet-4-5-20250929",)
    assert route.lacking("supports_json_schema") == ("gpt-oss-120b",)
    assert route.lacking("eu_available") == ("gpt-4.1", "gpt-oss-120b")


def test_a_route_without_fallbacks_is_the_model_itself() -> None:
    route = route_capabilities("gpt-5")

    assert route.model_ids == ("gpt-5",)
    assert (route.native_streaming, route.supports_json_schema, route.eu_available) == (
        True,
        True,
        False,
    )


def test_fallbacks_are_read_from_ids_mappings_and_wire_objects() -> None:
    route = route_capabilities(
        "gpt-5", ["gpt-4.1", {"model": "gpt-5"}, Fallback(model="gemini-2.5-pro")]
    )

    assert route.model_ids == ("gpt-5", "gpt-4.1", "gemini-2.5-pro")
    assert route.lacking("native_streaming") == ("gemini-2.5-pro",)


async def test_a_stream_with_a_fallback_that_cannot_stream_is_one_plain_request(
    make_client: MakeClient, collect_stream: CollectStream, complete: Complete
) -> None:
    request = {**GPT, "fallbacks": [{"model": "claude-sonnet-4-5-20250929"}]}
    body = completion_body("Served by the fallback.", model="claude-sonnet-4-5-20250929")
    stream_transport = ScriptedTransport([body])

    chunks, error = await collect_stream(make_client(stream_transport), request)
    created = await complete(make_client(ScriptedTransport([body])), request)

    assert error is None
    sent = stream_transport.json_bodies[0]
    assert "stream" not in sent
    assert "stream_options" not in sent
    assert sent["fallbacks"] == [{"model": "claude-sonnet-4-5-20250929"}]
    assert stream_transport.requests[0].headers["accept"] == "application/json"
    assert fold(chunks) == created


async def test_a_stream_whose_fallbacks_all_stream_uses_sse(
    make_client: MakeClient, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport([text_stream()])

    _, error = await collect_stream(
        make_client(transport), {**GPT, "fallbacks": [{"model": "gpt-4.1"}]}
    )

    assert error is None
    assert transport.json_bodies[0]["stream"] is True


@pytest.mark.parametrize(
    "request_body",
    [
        {**CLAUDE, "response_format": SCHEMA_FORMAT, "fallbacks": [{"model": "gpt-oss-120b"}]},
        {**GPT, "model": "gpt-oss-20b", "response_format": SCHEMA_FORMAT},
    ],
)
async def test_json_schema_to_a_route_with_a_model_without_it_fails_before_sending(
    make_client: MakeClient, complete: Complete, request_body: Json
) -> None:
    transport = ScriptedTransport([])

    with pytest.raises(InvalidRequestError, match=r"gpt-oss-.*tool calling"):
        await complete(make_client(transport), request_body)

    assert transport.requests == []


async def test_the_eu_guard_refuses_a_us_only_fallback_before_sending(
    make_client: MakeClient, complete: Complete
) -> None:
    transport = ScriptedTransport([])
    request = {**CLAUDE, "fallbacks": [{"model": "gemini-2.5-pro"}, {"model": "gpt-5"}]}

    with pytest.raises(ModelNotAvailableInRegionError, match="'gpt-5'"):
        await complete(make_client(transport, region="eu"), request)

    assert transport.requests == []


def test_the_catalog_examples_run() -> None:
    result = doctest.testmod(catalog)
    assert (result.failed, result.attempted > 0) == (0, True)
