"""The stream object stream()/astream() return: chunks, .snapshot, final_completion(), close."""

from __future__ import annotations

from typing import Any

import pytest

from assemblyai_gateway._transport.streams import (
    AsyncChatCompletionStream,
    ChatCompletionStream,
    amap_stream,
    map_stream,
)
from assemblyai_gateway._wire.accumulator import CompletionSnapshot
from assemblyai_gateway._wire.types import ChatCompletion, ChatCompletionChunk
from assemblyai_gateway.errors import InvalidRequestError
from assemblyai_gateway.testing import ScriptedTransport, completion_body
from tests.support.client_cases import CLAUDE, GPT, MakeClient, text_stream


async def _first_then_final(
    stream: ChatCompletionStream | AsyncChatCompletionStream,
) -> tuple[ChatCompletionChunk, str | None, ChatCompletion]:
    """The first chunk, the snapshot's text right after it, and the final completion."""
    if isinstance(stream, ChatCompletionStream):
        with stream:
            first = next(stream)
            seen = stream.snapshot.choices[0].content
            return first, seen, stream.final_completion()
    async with stream:
        first = await anext(stream)
        seen = stream.snapshot.choices[0].content
        return first, seen, await stream.final_completion()


def _open(client: Any, request: dict[str, Any], sync_or_async: str) -> Any:
    return client.stream(request) if sync_or_async == "sync" else client.astream(request)


async def test_the_snapshot_grows_with_each_chunk_and_final_completion_reads_the_rest(
    make_client: MakeClient, sync_or_async: str
) -> None:
    transport = ScriptedTransport([text_stream()])
    stream = _open(make_client(transport), GPT, sync_or_async)
    assert stream.snapshot.chunk_count == 0

    first, seen, final = await _first_then_final(stream)

    assert first.choices[0].delta.content == "Hel"
    assert seen == "Hel"
    assert final.choices[0].message.content == "Hello"
    assert final.usage is not None
    assert final.usage.total_tokens == 5
    assert stream.snapshot.chunk_count == 4
    assert transport.open_responses == 0


async def test_a_pseudo_stream_ends_in_the_completion_create_returns(
    make_client: MakeClient, sync_or_async: str
) -> None:
    body = completion_body("Bonjour !", usage=(9, 4))
    client = make_client(ScriptedTransport([body, body]))
    stream = _open(client, CLAUDE, sync_or_async)

    _, _, final = await _first_then_final(stream)

    assert final == client.create(CLAUDE)


async def test_leaving_the_with_block_early_closes_the_response(
    make_client: MakeClient, sync_or_async: str
) -> None:
    transport = ScriptedTransport([text_stream()])
    stream = _open(make_client(transport), GPT, sync_or_async)
    if sync_or_async == "sync":
        with stream:
            next(stream)
            assert transport.open_responses == 1
    else:
        async with stream:
            await anext(stream)
            assert transport.open_responses == 1

    assert transport.open_responses == 0


class _Recorder:
    """A stream mapper that records what it is handed."""

    def __init__(self) -> None:
        self.fed: list[tuple[str | None, int]] = []

    def feed(self, chunk: ChatCompletionChunk, snapshot: CompletionSnapshot) -> list[str]:
        self.fed.append((chunk.choices[0].delta.content if chunk.choices else None, id(snapshot)))
        return [f"fed {snapshot.chunk_count}"]

    def finish(self, snapshot: CompletionSnapshot) -> list[str]:
        return [f"finished {snapshot.chunk_count}"]


async def test_the_mapper_loop_hands_each_chunk_with_the_one_snapshot_then_finishes(
    make_client: MakeClient, sync_or_async: str
) -> None:
    transport = ScriptedTransport([text_stream()])
    stream = _open(make_client(transport), GPT, sync_or_async)
    mapper = _Recorder()

    if sync_or_async == "sync":
        out = list(map_stream(stream, mapper))
    else:
        out = [item async for item in amap_stream(stream, mapper)]

    assert out == ["fed 1", "fed 2", "fed 3", "fed 4", "finished 4"]
    assert [text for text, _ in mapper.fed] == ["Hel", "lo", None, None]
    assert {snapshot_id for _, snapshot_id in mapper.fed} == {id(stream.snapshot)}
    assert transport.open_responses == 0


def test_validation_happens_when_the_stream_is_opened(make_client: MakeClient) -> None:
    transport = ScriptedTransport([text_stream()])
    client = make_client(transport)
    with pytest.raises(InvalidRequestError, match="max_tokens"):
        client.stream({**GPT, "max_tokens": 0})
    assert transport.requests == []
