"""Native streaming where the model list says ``stream``, else one request replayed; a
refused or unreadable stream is replayed once and remembered."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from assemblyai_gateway._transport.client import GatewayClient
from assemblyai_gateway.catalog import ModelInfo
from assemblyai_gateway.emulator import Fault, GatewayEmulator
from assemblyai_gateway.errors import BadRequestError, StreamError
from assemblyai_gateway.testing import (
    ScriptedTransport,
    chunk_body,
    completion_body,
    sse_body,
)
from tests.support.client_cases import CollectStream, MakeClient, delta_texts, fold, text_stream
from tests.support.model_lists import NEW_MODEL, NEW_MODEL_INFO, ask, gateway_list, listed

CLAUDE = "claude-sonnet-4-5-20250929"
STREAM_REFUSED = {
    "message": "Invalid request",
    "code": "validation_error",
    "request_id": "req-r",
    "metadata": {"errors": ["stream: not supported for this model"]},
}
# Anthropic's own framing: events our reader does not take, and no `[DONE]`.
ANTHROPIC_FRAMING = (
    b'event: message_start\ndata: {"type": "message_start"}\n\n'
    b'event: content_block_delta\ndata: {"type": "content_block_delta",'
    b' "delta": {"type": "text_delta", "text": "Hi"}}\n\n'
    b'event: message_stop\ndata: {"type": "message_stop"}\n\n'
)


def sent_stream(transport: ScriptedTransport) -> list[bool]:
    """For each chat request, whether it asked for a stream."""
    return [body.get("stream") is True for body in transport.json_bodies]


# ---------------------------------------------------------- what the list says


async def test_a_model_known_only_from_the_list_streams_natively(
    gateway_emulator: GatewayEmulator,
    model_list_on: Path,
    collect_stream: CollectStream,
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    async with GatewayClient() as client:
        chunks, error = await collect_stream(client, ask(prompt=None, max_tokens=50))
    assert error is None
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1
    log = [(r.method, r.path, (r.json or {}).get("stream")) for r in gateway_emulator.requests]
    assert log == [("GET", "/v1/models", None), ("POST", "/v1/chat/completions", True)]


async def test_a_model_whose_list_entry_lacks_stream_is_replayed(
    gateway_emulator: GatewayEmulator, model_list_on: Path, collect_stream: CollectStream
) -> None:
    gateway_emulator.add_model(ModelInfo(NEW_MODEL, "anthropic", 500_000, 64_000))
    async with GatewayClient() as client:
        chunks, error = await collect_stream(client, ask())
    assert error is None
    assert fold(chunks).choices[0].message.content == 'Emulated answer to: "Hi"'
    chat = [r for r in gateway_emulator.requests if r.path.endswith("/chat/completions")]
    assert [(r.json or {}).get("stream") for r in chat] == [None]


async def test_a_fallback_route_streams_natively_only_when_every_model_can(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream
) -> None:
    still = ModelInfo("claude-still-5", "anthropic", 200_000, 8_000)
    transport = ScriptedTransport(
        [completion_body("Hi")],
        model_list=gateway_list(listed(NEW_MODEL_INFO), listed(still)),
    )
    client = make_client(transport)
    streaming = [ask("gpt-5", fallbacks=[{"model": NEW_MODEL}])]
    replayed = [
        ask(NEW_MODEL, fallbacks=[{"model": "claude-still-5"}]),
        ask("gpt-5", fallbacks=[{"model": CLAUDE}]),
    ]
    for request in streaming + replayed:
        assert client.uses_native_streaming(client.build_request(request)) is (request in streaming)

    transport = ScriptedTransport([text_stream()], model_list=gateway_list())
    chunks, error = await collect_stream(make_client(transport), streaming[0])
    assert error is None
    assert delta_texts(chunks)[:2] == ["Hel", "lo"]
    assert sent_stream(transport) == [True]


# --------------------------------------------------------------- found out


async def test_a_refused_stream_is_replayed_and_the_choice_remembered(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport(
        [httpx.Response(400, json=STREAM_REFUSED), completion_body("Hi there")],
        model_list=gateway_list(),
    )
    client = make_client(transport, max_retries=0)
    for _ in range(2):
        chunks, error = await collect_stream(client, ask())
        assert error is None
        assert fold(chunks).choices[0].message.content == "Hi there"
    assert sent_stream(transport) == [True, False, False]  # one extra request, once
    assert client.uses_native_streaming(client.build_request(ask())) is False


async def test_the_emulator_refusing_a_stream_is_replayed_too(
    gateway_emulator: GatewayEmulator, model_list_on: Path, collect_stream: CollectStream
) -> None:
    gateway_emulator.add_model(NEW_MODEL_INFO)
    gateway_emulator.inject(Fault.status(422, "stream is not available for this model yet"))
    async with GatewayClient(max_retries=0) as client:
        for _ in range(2):
            chunks, error = await collect_stream(client, ask())
            assert error is None
            assert fold(chunks).choices[0].message.content == 'Emulated answer to: "Hi"'
    chat = [r for r in gateway_emulator.requests if r.path.endswith("/chat/completions")]
    assert [((r.json or {}).get("stream"), r.status) for r in chat] == [
        (True, 422),
        (None, 200),
        (None, 200),
    ]


@pytest.mark.parametrize(
    "stream",
    [
        ANTHROPIC_FRAMING,
        ANTHROPIC_FRAMING + b"data: [DONE]\n\n",
        b"data: {not json}\n\ndata: [DONE]\n\n",
    ],
    ids=["other-framing", "other-framing-done", "not-json"],
)
async def test_a_stream_that_does_not_parse_is_replayed_and_remembered(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream, stream: bytes
) -> None:
    transport = ScriptedTransport([stream, completion_body("Hi")], model_list=gateway_list())
    client = make_client(transport)
    for _ in range(2):
        chunks, error = await collect_stream(client, ask())
        assert error is None
        assert fold(chunks).choices[0].message.content == "Hi"
    assert sent_stream(transport) == [True, False, False]
    assert transport.open_responses == 0


async def test_a_400_that_is_not_about_stream_is_raised(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream
) -> None:
    refused = {
        "message": "Invalid request",
        "metadata": {"errors": ["max_tokens: too large"]},
        "request": {"model": NEW_MODEL, "stream": True},  # an echo names stream: not a refusal
    }
    transport = ScriptedTransport([httpx.Response(400, json=refused)], model_list=gateway_list())
    client = make_client(transport)
    _, error = await collect_stream(client, ask())
    assert isinstance(error, BadRequestError)
    assert sent_stream(transport) == [True]
    assert client.uses_native_streaming(client.build_request(ask())) is True


async def test_an_error_the_gateway_streams_is_raised_and_changes_nothing(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream
) -> None:
    error_event = b'data: {"error": {"code": 529, "message": "overloaded"}}\n\n'
    transport = ScriptedTransport([error_event, text_stream()], model_list=gateway_list())
    client = make_client(transport, max_retries=0)
    _, error = await collect_stream(client, ask())
    assert isinstance(error, StreamError)
    _chunks, error = await collect_stream(client, ask())
    assert error is None
    assert sent_stream(transport) == [True, True]


async def test_a_stream_that_breaks_after_chunks_raises_and_changes_nothing(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream
) -> None:
    cut_short = sse_body([chunk_body("Hel", role="assistant"), "{not json}"])
    transport = ScriptedTransport([cut_short, text_stream()], model_list=gateway_list())
    client = make_client(transport)
    chunks, error = await collect_stream(client, ask())
    assert delta_texts(chunks) == ["Hel"]
    assert isinstance(error, StreamError)
    _, error = await collect_stream(client, ask())
    assert error is None
    assert sent_stream(transport) == [True, True]


async def test_what_was_found_out_holds_for_its_base_url_only(
    make_client: MakeClient, model_list_on: Path, collect_stream: CollectStream
) -> None:
    transport = ScriptedTransport(
        [httpx.Response(400, json=STREAM_REFUSED), completion_body("Hi"), text_stream()],
        model_list=gateway_list(),
    )
    await collect_stream(make_client(transport), ask())
    eu = make_client(transport, region="eu")
    _chunks, error = await collect_stream(eu, ask())
    assert error is None
    assert sent_stream(transport) == [True, False, True]
