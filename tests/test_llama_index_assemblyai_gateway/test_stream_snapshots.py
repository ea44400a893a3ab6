"""Streamed responses built from a snapshot equal those built from its completion."""

from __future__ import annotations

from pathlib import Path

import pytest

from assemblyai_gateway._transport.sse import ChunkDecoder
from assemblyai_gateway._wire.accumulator import accumulate_chunk
from llama_index_assemblyai_gateway._response import chat_response, snapshot_response

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sse"


@pytest.mark.parametrize(
    "name", ["text_with_usage", "tool_calls_interleaved", "multiline_data", "crlf"]
)
def test_snapshot_response_equals_the_completion_mapping_after_every_chunk(name: str) -> None:
    decoder = ChunkDecoder()
    chunks = [*decoder.feed((FIXTURES / f"{name}.sse").read_text()), *decoder.close()]
    snapshot = None
    for chunk in chunks:
        snapshot = accumulate_chunk(snapshot, chunk)
        fast = snapshot_response(snapshot, requested_model="gpt-5", raw={}, delta="d")
        slow = chat_response(
            snapshot.to_completion(), requested_model="gpt-5", raw={}, delta="d", final=False
        )
        assert fast.message == slow.message
        assert fast.additional_kwargs == slow.additional_kwargs
